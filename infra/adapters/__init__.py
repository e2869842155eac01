"""One adapter per external service (S3, DynamoDB, Redis, Kafka), each with a narrow interface."""
