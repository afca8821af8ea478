"""Recovery Coach speech: timed scripts, the session sequencer, and renderers (SSML, local TTS)."""
