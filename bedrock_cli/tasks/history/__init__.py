"""`history`: what `history list/show/search` print (`view`) and `history stats` (`stats`)."""
