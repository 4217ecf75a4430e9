package example

deny[msg] {
  input.kind == "Pod"
  not input.metadata.labels.owner
  msg := "owner label required"
}
