"""Users and assets API: Connexion on AWS Lambda, DynamoDB and S3."""
