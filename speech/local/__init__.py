"""The local renderer: speech synthesized and played on the computer itself (the offline coach).

- `pcm`: 16-bit mono PCM at 22,050 Hz: clips, silence, WAV files.
- `engine`: espeak-ng, one process per text, to trimmed clips (voices, rate, cache).
- `playback`: cues on a monotonic clock, keyboard control through the session sequencer.
- `sinks`: where playback's speech goes (aplay, nowhere, or nothing for --no-audio).
- `export`: a whole routine as one WAV file and its cue list.
"""
