"""Adaptive authentication: how unusual a sign-in is for this customer, and what to do about it.

``features`` turns a sign-in into hierarchical feature values, ``model`` scores them with the
Freeman et al. (NDSS 2016) likelihood ratio, ``policy`` turns the score into allow / step-up / deny,
``store`` keeps the per-customer and global counts. Pure code except ``store``; the activity in
``workers/activities/risk.py`` and ``bench/risk_eval.py`` both use exactly these modules.
"""
