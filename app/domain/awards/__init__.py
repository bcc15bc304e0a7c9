"""Awards (奖项) after the commendation: certificates anyone can verify."""
