"""View curves: each post's views, forwards and reactions by age, its account's typical curve, flags."""
