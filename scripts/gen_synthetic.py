#!/usr/bin/env python3
"""Writes a synthetic Terraform repository of about N resources, for scaling benchmarks.

The repository has one root module per "stack" under stacks/, each with a VPC, public and
private subnets, an internet gateway, a route table with a default route, a NACL, security
groups with inline and standalone rules, instances, and a call to the shared child module
modules/app (a security group, a rule and an instance). Every stack is alike apart from
names and CIDRs, so lint time should grow linearly with N.

Usage: scripts/gen_synthetic.py N OUT_DIR
"""

import os
import sys

APP_MODULE = """variable "vpc_id" {}
variable "subnet_id" {}
variable "name" {}
variable "open_ports" {
  type    = list(number)
  default = [80, 443]
}

resource "aws_security_group" "app" {
  name   = "${var.name}-app"
  vpc_id = var.vpc_id

  dynamic "ingress" {
    for_each = var.open_ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}

resource "aws_security_group_rule" "egress" {
  type              = "egress"
  security_group_id = aws_security_group.app.id
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_instance" "app" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = var.subnet_id
  vpc_security_group_ids = [aws_security_group.app.id]
  metadata_options {
    http_tokens = "required"
  }
}

output "sg_id" {
  value = aws_security_group.app.id
}
"""

# Resources in one stack: 15 in the root module, 3 in the child module.
PER_STACK = 18


def stack(i: int) -> str:
    a, b = divmod(i, 256)
    net = f"10.{a % 256}.{b}"
    return f"""locals {{
  name = "stack-{i}"
  cidr = "{net}.0/24"
}}

resource "aws_vpc" "main" {{
  cidr_block = local.cidr
  tags       = {{ Name = local.name }}
}}

resource "aws_subnet" "public" {{
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "{net}.0/25"
  map_public_ip_on_launch = true
}}

resource "aws_subnet" "private" {{
  vpc_id     = aws_vpc.main.id
  cidr_block = "{net}.128/25"
}}

resource "aws_internet_gateway" "gw" {{
  vpc_id = aws_vpc.main.id
}}

resource "aws_route_table" "public" {{
  vpc_id = aws_vpc.main.id
}}

resource "aws_route" "default" {{
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.gw.id
}}

resource "aws_route_table_association" "public" {{
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}}

resource "aws_network_acl" "public" {{
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.public.id]

  ingress {{
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 0
    to_port    = 65535
    cidr_block = "0.0.0.0/0"
  }}

  egress {{
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    from_port  = 0
    to_port    = 0
    cidr_block = "0.0.0.0/0"
  }}
}}

resource "aws_network_acl_rule" "deny_rdp" {{
  network_acl_id = aws_network_acl.public.id
  rule_number    = 50
  egress         = false
  protocol       = "tcp"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
  from_port      = 3389
  to_port        = 3389
}}

resource "aws_security_group" "web" {{
  name   = "${{local.name}}-web"
  vpc_id = aws_vpc.main.id

  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}

  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_security_group" "db" {{
  name   = "${{local.name}}-db"
  vpc_id = aws_vpc.main.id
}}

resource "aws_security_group_rule" "db_from_web" {{
  type                     = "ingress"
  security_group_id        = aws_security_group.db.id
  source_security_group_id = aws_security_group.web.id
  from_port                = 5432
  to_port                  = 5432
  protocol                 = "tcp"
}}

resource "aws_instance" "web" {{
  count                  = 2
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.web.id]
}}

resource "aws_eip" "web" {{
  instance = aws_instance.web[0].id
}}

module "app" {{
  source     = "../../modules/app"
  name       = local.name
  vpc_id     = aws_vpc.main.id
  subnet_id  = aws_subnet.private.id
  open_ports = [80, 443, 8080]
}}
"""


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    n, out = int(sys.argv[1]), sys.argv[2]
    stacks = max(1, round(n / PER_STACK))
    os.makedirs(os.path.join(out, "modules", "app"), exist_ok=True)
    with open(os.path.join(out, "modules", "app", "main.tf"), "w") as f:
        f.write(APP_MODULE)
    for i in range(stacks):
        d = os.path.join(out, "stacks", f"s{i:05}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(stack(i))
    print(f"{out}: {stacks} stacks, {stacks * PER_STACK} resources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
