"""Benefits: what each partner gains from the chain, from its start picture to its end picture."""
