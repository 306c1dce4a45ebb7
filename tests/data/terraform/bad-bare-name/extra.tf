locals {
  x = evil
}
