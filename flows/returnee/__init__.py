"""What a returnee converses with: menu, answers, recruiter check, my cases, my data, alerts."""
