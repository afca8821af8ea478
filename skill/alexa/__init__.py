"""The Alexa skill: interaction model, intent handlers, ask-sdk-core adapter, Flask endpoint,
request verification, per-user store and the chat simulator.

A turn is plain data in, plain data out (turn.py), so the conversation logic is tested
and benchmarked without the SDK: slots.py reads the request's slots, intents.py answers
each intent in every state with the words in replies.py, and adapter.py carries it over
ask-sdk-core to app.py's `POST /alexa`.
"""
