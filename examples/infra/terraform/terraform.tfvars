environment     = "staging"
ami_id          = "ami-0c02fb55956c7d316"
reporting_cidr  = "203.0.113.0/24"
certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
