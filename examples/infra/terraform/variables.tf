# Inputs of the example stack. terraform.tfvars sets the environment-specific values;
# the variables it leaves out keep their defaults, which sgcheck follows as well.

variable "region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "us-east-1"
}

variable "environment" {
  description = "Environment name, used in resource names and tags."
  type        = string
}

variable "vpc_cidr" {
  description = "Address range of the VPC."
  type        = string
  default     = "10.0.0.0/16"
}

# Demonstrates provenance: nobody overrides this default in terraform.tfvars, so the bastion's
# SSH rule is open to the whole internet. sgcheck reports SG001 at the rule and points at this
# default as the place where the value comes from.
variable "ssh_allowed_cidrs" {
  description = "Networks allowed to SSH to the bastion host."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "reporting_cidr" {
  description = "Network of the BI vendor that reads the reporting database."
  type        = string
}

variable "ami_id" {
  description = "AMI for the bastion and application hosts (Amazon Linux 2023)."
  type        = string
}

variable "app_instance_type" {
  description = "Instance type of the application host."
  type        = string
  default     = "t3.small"
}

variable "certificate_arn" {
  description = "ACM certificate for the load balancer's HTTPS listener."
  type        = string
}
