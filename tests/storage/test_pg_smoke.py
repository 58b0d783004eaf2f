from sqlalchemy import text

from storage.migrate import current_revision, head_revision


async def test_schema_at_head_on_both_backends(any_storage):
    assert await current_revision(any_storage.engine) == head_revision()
    async with any_storage.engine.connect() as connection:
        tables = await connection.run_sync(
            lambda sync: __import__("sqlalchemy").inspect(sync).get_table_names()
        )
    assert {"worker", "result", "case_event", "outbox", "audit_log"} <= set(tables)
    async with any_storage.sessions() as session:
        assert (await session.execute(text("select count(*) from worker"))).scalar_one() == 0
