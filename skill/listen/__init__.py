"""The laptop listener: hears "coach, next" through a microphone or a file, offline."""
