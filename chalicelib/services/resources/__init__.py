"""What a user does with stored resources: store them (POST /instances, uploads through S3),
browse the hierarchy, read their content, delete them, count them."""
