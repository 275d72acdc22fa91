// The ActorChat page: one WebSocket to /ws/chat/{room}/, speaking the Channels tutorial protocol.
// It works behind a reverse proxy unchanged: the socket URL comes from the page's own location.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const status = $('status'), log = $('log'), roomInput = $('room'), roomName = $('room-name');
  const messageInput = $('message'), sendButton = $('send');
  const minDelay = 500, maxDelay = 10000;
  let socket = null, room = null, delay = minDelay, retryTimer = null, countdownTimer = null;

  const socketUrl = (name) =>
    `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/chat/${encodeURIComponent(name)}/`;

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
      if (typeof data.message === 'string') append(data.message);
      else if (typeof data.error === 'string') append(`Server: ${data.error}`, 'error');
    };
    ws.onclose = (event) => {
      if (socket !== ws) return; // we left this room on purpose
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

  function join(name) {
    if (!name || name === room) return;
    room = name;
    roomName.textContent = name;
    roomInput.value = name;
    log.replaceChildren();
    append(`You joined ${name}.`, 'notice');
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

  window.addEventListener('hashchange', () => join(decodeURIComponent(location.hash.slice(1))));
  join(decodeURIComponent(location.hash.slice(1)) || roomInput.value);
})();
