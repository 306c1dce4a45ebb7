locals {
  script = <<EOT
echo hi
EOT
}
