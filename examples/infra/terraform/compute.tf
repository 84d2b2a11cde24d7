# Hosts, load balancer and database.

# Reachable from the internet on tcp/22 (NET003, error). The witness path runs through all three
# files: the public IP from map_public_ip_on_launch, the internet gateway and the 0.0.0.0/0 route,
# NACL rules 100 (in) and 100 (out), and the SSH rule of aws_security_group.bastion.
resource "aws_instance" "bastion" {
  ami                    = var.ami_id
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public[0].id
  vpc_security_group_ids = [aws_security_group.bastion.id]

  metadata_options {
    http_tokens = "required"
  }

  root_block_device {
    encrypted = true
  }

  tags = {
    Name = "${var.environment}-bastion"
  }
}

# Not reachable: private subnet, default route to the NAT gateway, no public address, and only
# security-group sources. It still allows IMDSv1 (EC2001): an SSRF bug in the application could read
# the instance role's credentials.
resource "aws_instance" "app" {
  ami                         = var.ami_id
  instance_type               = var.app_instance_type
  subnet_id                   = aws_subnet.private[0].id
  associate_public_ip_address = false
  vpc_security_group_ids      = [aws_security_group.app.id]

  metadata_options {
    http_tokens = "optional"
  }

  root_block_device {
    encrypted = true
  }

  tags = {
    Name = "${var.environment}-app"
  }
}

# Internet-facing (internal defaults to false): NET006 lists its listeners, and the application
# behind it is exposed through it.
resource "aws_lb" "web" {
  name               = "${var.environment}-web"
  load_balancer_type = "application"
  subnets            = aws_subnet.public[*].id
  security_groups    = [aws_security_group.alb.id]
}

resource "aws_lb_target_group" "app" {
  name     = "${var.environment}-app"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = aws_vpc.main.id
}

resource "aws_lb_target_group_attachment" "app" {
  target_group_arn = aws_lb_target_group.app.arn
  target_id        = aws_instance.app.id
  port             = 8080
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

# The reporting database was made public for a BI vendor (NET005): it has a public endpoint in the
# public subnets, and only its security group stands between it and the internet.
resource "aws_db_subnet_group" "reporting" {
  name       = "${var.environment}-reporting"
  subnet_ids = aws_subnet.public[*].id
}

resource "aws_db_instance" "reporting" {
  identifier                  = "${var.environment}-reporting"
  engine                      = "postgres"
  instance_class              = "db.t4g.small"
  allocated_storage           = 50
  username                    = "reporting"
  manage_master_user_password = true
  storage_encrypted           = true
  db_subnet_group_name        = aws_db_subnet_group.reporting.name
  vpc_security_group_ids      = [aws_security_group.reporting_db.id]
  publicly_accessible         = true
  skip_final_snapshot         = true
}
