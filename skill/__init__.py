"""Recovery Coach front ends: the Alexa skill, its Flask endpoint, and the command line."""
