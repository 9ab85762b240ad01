"""Create the media bucket on a local S3-compatible store and let anyone read
its objects (site content only; docs/deploy.md). For the compose production
profile and the two-node drill; a managed store is set up by its own tooling.

Reads the same MEDIA_S3_* variables as the web nodes. Running it twice is harmless.
"""

import json
import os
import sys
import time

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError


def main():
    bucket = os.environ.get("MEDIA_S3_BUCKET", "")
    endpoint = os.environ.get("MEDIA_S3_ENDPOINT_URL", "")
    if not bucket or not endpoint:
        sys.exit("create_bucket: set MEDIA_S3_BUCKET and MEDIA_S3_ENDPOINT_URL")
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=os.environ.get("MEDIA_S3_REGION") or "us-east-1",
        aws_access_key_id=os.environ.get("MEDIA_S3_ACCESS_KEY_ID") or None,
        aws_secret_access_key=os.environ.get("MEDIA_S3_SECRET_ACCESS_KEY") or None,
    )
    for _attempt in range(30):
        try:
            client.create_bucket(Bucket=bucket)
            break
        except ClientError as exc:
            if exc.response["Error"]["Code"] in (
                "BucketAlreadyOwnedByYou",
                "BucketAlreadyExists",
            ):
                break
            raise
        except EndpointConnectionError:
            time.sleep(1)
    else:
        sys.exit(f"create_bucket: no S3 server answered at {endpoint}")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    sys.stdout.write(f"create_bucket: {bucket} ready, objects publicly readable\n")


if __name__ == "__main__":
    main()
