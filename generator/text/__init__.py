"""The text checks of the gate: what a rule can catch of the four gates (政治关 政策关 法律关
文字关) before a reviewer reads the piece. Each check is a gate rule (see generator.gate)."""
