"""Functions that change state. Views, admin actions, tasks and commands only call these."""
