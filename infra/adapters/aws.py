"""The aioboto3 session and client settings shared by the S3 and DynamoDB adapters."""

from __future__ import annotations

import aioboto3
from botocore.config import Config

from infra.settings import Settings


def session(settings: Settings) -> aioboto3.Session:
    return aioboto3.Session(
        aws_access_key_id=settings.aws_access_key_id,
        aws_secret_access_key=settings.aws_secret_access_key,
        region_name=settings.aws_region,
    )


def client_config(*, path_style: bool = False) -> Config:
    """Short timeouts and few retries: the services are local; a stuck call should fail fast.

    The connect timeout also covers waiting for a free pooled connection (aiohttp), so it
    leaves room for bursts such as a thousand status requests arriving at once.
    """
    return Config(
        connect_timeout=15,
        read_timeout=30,
        retries={"max_attempts": 3, "mode": "standard"},
        max_pool_connections=64,
        s3={"addressing_style": "path"} if path_style else None,
    )
