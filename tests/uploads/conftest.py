"""S3-compatible storage for the upload tests: one real S3 server on loopback (moto) for the session.

moto keeps its buckets in this process's memory, shared by every server it starts: one server,
one bucket, for all the modules that use them.
"""

from __future__ import annotations

import socket

import boto3
import httpx
import pytest
from asgi_lifespan import LifespanManager
from moto.server import ThreadedMotoServer
from pydantic import SecretStr

BUCKET = "qaward-files"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        yield endpoint
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3(s3_server):
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="cn-north-1",
        aws_access_key_id="qaward-test",
        aws_secret_access_key="qaward-test-secret",
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
    return client


@pytest.fixture(scope="session")
def s3_settings(settings, s3, s3_server):
    return settings.model_copy(
        update={
            "storage": "s3",
            "s3_endpoint_url": s3_server,
            "s3_bucket": BUCKET,
            "s3_region": "cn-north-1",
            "s3_access_key_id": "qaward-test",
            "s3_secret_access_key": SecretStr("qaward-test-secret"),
        }
    )


@pytest.fixture(scope="session")
async def s3_app(s3_settings):
    from app.main import create_app

    application = create_app(s3_settings, migrate=False)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def s3_client(s3_app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=s3_app, raise_app_exceptions=False), base_url="http://testserver"
    ) as c:
        yield c
