# The same security group with SSH limited to the admin workstation: no findings.
resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "SSH to the bastion host"
  vpc_id      = "vpc-0123456789abcdef0"

  ingress {
    description = "SSH from the admin workstation"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["203.0.113.10/32"]
  }
}
