"""Demo and benchmark data. Never imported by the web app, the portal or the tasks.

- ``users``: one demo login per role (``load_demo`` creates them; never in production).
- ``world``: the demo world, built by calling the real services at the dates its story needs.
- ``fixture``: writes the world to ``fixtures/demo.json`` and loads it again, dates moved on.
- ``seed``: N synthetic licences by bulk insert, for benchmarks.
"""
