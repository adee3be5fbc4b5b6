"""Contract negotiation: Erlang screening of staffing levels, pricing of a contract at each
level, the partner's best response, fair and loss-matching penalty rates, sensitivity, perils and
the negotiation report.
"""
