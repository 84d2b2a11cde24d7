# A bastion host's security group that lets the whole internet try SSH: SG001.
resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "SSH to the bastion host"
  vpc_id      = "vpc-0123456789abcdef0"

  ingress {
    description = "SSH from anywhere"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
