"""Pure domain model: documents, versions, digests, evidence, findings, verdicts, rules.

Nothing in here imports click, SQLAlchemy, pyhanko or pikepdf.
"""
