"""The rules, one module per regulatory track: each holds the decide handlers of its commands
(listed in domain/catalogue.py) and the mutators of its events (`EVOLVE`, keyed by event
class)."""
