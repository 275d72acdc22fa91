namespace ActorChat.Actors;

/// <summary>A behaviour: handles <paramref name="message"/> and returns false if it does not handle it.</summary>
public delegate bool Receive(object message);
