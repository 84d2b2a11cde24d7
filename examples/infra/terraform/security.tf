# Security groups. The bastion's SSH rule takes its sources from a variable whose default is
# 0.0.0.0/0; everything else admits only what it needs.

resource "aws_security_group" "bastion" {
  name        = "${var.environment}-bastion"
  description = "Bastion host for SSH access to the private subnets"
  vpc_id      = aws_vpc.main.id

  # SG001: the default of var.ssh_allowed_cidrs opens SSH to the internet. Together with the public
  # subnet, route and NACL in network.tf this makes the bastion reachable (NET003 on the instance).
  ingress {
    description = "SSH from the admin networks"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.ssh_allowed_cidrs
  }

  egress {
    description = "SSH to the application hosts"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }

  egress {
    description = "HTTPS for updates and AWS APIs"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# The load balancer is meant to be public: SG004 notes record that exposure.
resource "aws_security_group" "alb" {
  name        = "${var.environment}-alb"
  description = "Public HTTPS load balancer"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "HTTPS from anywhere"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "HTTP from anywhere, redirected to HTTPS"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "To the application port in the VPC"
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }
}

# The application admits traffic only from other security groups, never from an address range:
# it is exposed through the load balancer but not reachable directly.
resource "aws_security_group" "app" {
  name        = "${var.environment}-app"
  description = "Application hosts"
  vpc_id      = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  description                  = "Application port from the load balancer"
  security_group_id            = aws_security_group.app.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
}

resource "aws_vpc_security_group_ingress_rule" "app_from_bastion" {
  description                  = "SSH from the bastion"
  security_group_id            = aws_security_group.app.id
  referenced_security_group_id = aws_security_group.bastion.id
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
}

resource "aws_vpc_security_group_egress_rule" "app_https" {
  description       = "HTTPS through the NAT gateway"
  security_group_id = aws_security_group.app.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "app_postgres" {
  description                  = "PostgreSQL to the reporting database"
  security_group_id            = aws_security_group.app.id
  referenced_security_group_id = aws_security_group.reporting_db.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_security_group" "reporting_db" {
  name        = "${var.environment}-reporting-db"
  description = "Reporting database"
  vpc_id      = aws_vpc.main.id

  ingress {
    description     = "PostgreSQL from the application"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id]
  }

  ingress {
    description = "PostgreSQL from the BI vendor"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [var.reporting_cidr]
  }
}
