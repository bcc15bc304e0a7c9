async def test_health_answers_ok(client):
    r = await client.get("/api/v1/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_ready_reports_migration_head(client):
    r = await client.get("/api/v1/ready")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ready"


async def test_a_served_app_freezes_what_start_up_made_out_of_the_collectors_reach(settings):
    """Issue 21: a full garbage collection walked every programme definition inside a request (the lists' p99);
    a served app (gc_freeze, on outside tests) moves what start-up made to the permanent generation."""
    import gc

    from asgi_lifespan import LifespanManager

    from app.main import create_app

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        async with LifespanManager(create_app(settings.model_copy(update={"gc_freeze": True}), migrate=False)):
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    async with LifespanManager(create_app(settings, migrate=False)):
        assert gc.get_freeze_count() == 0, "tests' many apps are not frozen (their cycles would never be collected)"
