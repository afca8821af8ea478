"""The AWS front end of the step tracks: a Lambda that renders a routine's tracks on demand
into the tracks bucket (`renderer.py`, behind a Function URL, answering the same
`/audio/<key>.mp3` and `/cards/<name>.png` as the self-hosted server), and what the skill's
Lambda calls to have the rest of a routine rendered ahead (`ahead.py`)."""
