"""What each partner gains: benefits (start picture → end picture) beside contributions."""

routes: list = []
