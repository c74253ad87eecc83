"""`make bench`: Buron's performance budgets measured on this machine.

One run seeds (or reuses) a national-size network on PostgreSQL and the Cantal demo network
on SQLite, serves both with gunicorn, and measures availability search, booking throughput
as a ratio to a minimal Django view served the same way, integrity after the load, worker
memory and cold start. Results go to bench/results/latest.json and latest.md.
"""
