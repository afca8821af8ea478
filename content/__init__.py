"""Recovery Coach content: the movement library, advice and phrases as data, and the planner."""
