"""Login: a first factor, then a second one only when the sign-in looks risky.

Every password attempt is throttled per account and per IP, and unknown email, wrong password and
locked account look exactly alike to the customer. Once the first factor checks out, the ``risk``
activity scores the sign-in against the customer's own history: ``allow`` signs in, ``step_up``
asks for one of the customer's factors (the kit's ``second_factor`` step), and ``deny`` shows what
to do next. The risk reasons are written to the journey's current details, so support sees in the
Temporal UI *why* a sign-in was challenged.

With ``reauth_customer_id`` set (``/account/reauth``), the same journey re-authenticates a signed-in
customer before a sensitive change: password only, the same risk policy, then back to the page.

Home-realm discovery (B2B): an email whose domain an organization owns (``threshold orgs``) is sent
to that organization's upstream provider with the email as ``login_hint``, whether or not an
account exists, and a password typed with it is ignored. Re-authentication and the local sign-in
that proves control before linking an upstream identity (``return_to`` under ``/login/idp/``)
never leave for a provider.

The package, one job per module: :mod:`.start` (the start input), :mod:`.screens`,
:mod:`.first_factor` (password, passkey, upstream provider, emailed code), :mod:`.risk` (signals
and records), :mod:`.decision` (everything after the first factor, reusable by any sign-in) and
:mod:`.journey` (the script).
"""

from journeys.login.journey import Login
from journeys.login.start import LoginStart

__all__ = ["Login", "LoginStart"]
