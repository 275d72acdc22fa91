// The ActorChat page: one WebSocket to /ws/chat/{room}/, speaking the Channels tutorial protocol.
// It works behind a reverse proxy unchanged: the socket URL comes from the page's own location.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const status = $('status'), log = $('log'), roomInput = $('room'), roomName = $('room-name');
  const messageInput = $('message'), sendButton = $('send');
  const nickInput = $('nick'), people = $('people'), peopleCount = $('people-count');
  const minDelay = 500, maxDelay = 10000;
  let socket = null, room = null, delay = minDelay, retryTimer = null, countdownTimer = null;
  // The nickname comes from ?nick=, else from the last visit; it is kept across reconnects and visits.
  let nick = new URLSearchParams(location.search).get('nick') || localStorage.getItem('actorchat.nick') || '';
  // Who is here: key -> metas, folded from presence.state and presence.diff frames as phoenix.js does.
  let presences = new Map();

  const socketUrl = (name) =>
    `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/chat/${encodeURIComponent(name)}/` +
    (nick ? `?nick=${encodeURIComponent(nick)}` : '');

  function renderPeople() {
    const keys = [...presences.keys()].sort((a, b) => a.localeCompare(b));
    people.replaceChildren(...keys.map((key) => {
      const item = document.createElement('li');
      const tabs = presences.get(key).length;
      item.textContent = tabs > 1 ? `${key} (${tabs})` : key;
      item.dataset.key = key;
      if (key === nick) item.className = 'me';
      return item;
    }));
    peopleCount.textContent = String(keys.length);
  }

  function applyDiff(joins, leaves) {
    for (const [key, { metas }] of Object.entries(joins || {})) {
      const known = presences.get(key) || [];
      const fresh = metas.filter((m) => !known.some((k) => k.channel === m.channel));
      presences.set(key, known.concat(fresh));
    }
    for (const [key, { metas }] of Object.entries(leaves || {})) {
      const left = presences.get(key);
      if (!left) continue;
      const stay = left.filter((k) => !metas.some((m) => m.channel === k.channel));
      if (stay.length) presences.set(key, stay); else presences.delete(key); // a key leaves with its last connection
    }
    renderPeople();
  }

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
    const open = state === 'open';
    messageInput.disabled = !open;
    sendButton.disabled = !open;
  }

  function append(text, kind) {
    const item = document.createElement('li');
    item.textContent = text;
    if (kind) item.className = kind;
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function clearTimers() {
    clearTimeout(retryTimer);
    clearInterval(countdownTimer);
    retryTimer = countdownTimer = null;
  }

  function connect() {
    clearTimers();
    setStatus('connecting', `Connecting to ${room}…`);
    const ws = new WebSocket(socketUrl(room));
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      delay = minDelay;
      setStatus('open', `Connected to ${room}`);
      messageInput.focus();
    };
    ws.onmessage = (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch { append(`(unreadable message: ${event.data})`, 'error'); return; }
      if (data.event === 'presence_state') { presences = new Map(); applyDiff(data.presences, {}); }
      else if (data.event === 'presence_diff') applyDiff(data.joins, data.leaves);
      else if (typeof data.message === 'string') append(typeof data.nick === 'string' ? `${data.nick}: ${data.message}` : data.message);
      else if (typeof data.error === 'string') append(`Server: ${data.error}`, 'error');
    };
    ws.onclose = (event) => {
      if (socket !== ws) return; // we left this room on purpose
      presences = new Map(); // the next presence.state fills it again
      renderPeople();
      scheduleReconnect(event.code);
    };
  }

  function scheduleReconnect(code) {
    socket = null;
    let left = delay;
    const tick = () => setStatus('reconnecting', `Disconnected (code ${code}). Reconnecting in ${(left / 1000).toFixed(1)} s…`);
    tick();
    countdownTimer = setInterval(() => { left = Math.max(0, left - 100); tick(); }, 100);
    retryTimer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, maxDelay);
  }

  function join(name, force) {
    if (!name || (name === room && !force)) return;
    room = name;
    roomName.textContent = name;
    roomInput.value = name;
    log.replaceChildren();
    presences = new Map();
    renderPeople();
    append(nick ? `You joined ${name} as ${nick}.` : `You joined ${name}. Pick a nickname to appear in the room.`, 'notice');
    if (location.hash.slice(1) !== name) history.replaceState(null, '', `#${encodeURIComponent(name)}`);
    const old = socket;
    socket = null;
    if (old) old.close(1000, 'changing rooms');
    delay = minDelay;
    connect();
  }

  $('room-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (roomInput.reportValidity()) join(roomInput.value.trim());
  });

  $('message-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = messageInput.value;
    if (!text.trim() || !socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ message: text }));
    messageInput.value = '';
  });

  nickInput.value = nick;
  $('nick-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = nickInput.value.trim();
    if (!nickInput.reportValidity() || !value || value === nick) return;
    nick = value;
    localStorage.setItem('actorchat.nick', nick);
    if (room) join(room, true); // rejoin under the new name
  });

  window.addEventListener('hashchange', () => join(decodeURIComponent(location.hash.slice(1))));
  join(decodeURIComponent(location.hash.slice(1)) || roomInput.value);
})();
