package example

test_missing_owner_denied {
  deny["owner label required"] with input as {"kind": "Pod", "metadata": {}}
}

test_owner_allowed {
  count(deny) == 0 with input as {"kind": "Pod", "metadata": {"labels": {"owner": "a"}}}
}

test_wrong_expectation {
  count(deny) == 1 with input as {"kind": "Pod", "metadata": {"labels": {"owner": "a"}}}
}

todo_test_later {
  false
}
