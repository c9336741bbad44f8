package tools

import (
	"strings"
	"testing"
)

func TestConfirmationIsBoundToTheCaller(t *testing.T) {
	t.Parallel()
	c := newConfirmer([]byte(strings.Repeat("k", 32)), nil)
	args := map[string]any{"flow": "Daily revenue"}
	token := c.issue(kindToken, "delete_flow", "alice-hash", args, "digest")
	err := c.redeem(kindToken, confirmField, token, "delete_flow", "bob-hash", args, "digest")
	if err == nil || !strings.Contains(err.Error(), "another caller's key") {
		t.Fatalf("bob redeemed alice's confirmation: %v", err)
	}
	if err := c.redeem(kindToken, confirmField, token, "delete_flow", "alice-hash", args, "digest"); err != nil {
		t.Errorf("alice cannot redeem her own confirmation after bob tried it: %v", err)
	}
}
