"""Foundation endpoints: identity, health, org units, users, audit, calendar, consumers."""

from ninja import Router

from xiaobao.core.api import accounts, audit, calendar, consumers, org, pickers, search

router = Router()
router.add_router("/", accounts.router)
router.add_router("/org-units", org.router)
router.add_router("/audit-events", audit.router)
router.add_router("/calendar", calendar.router)
router.add_router("/consumers", consumers.router)
router.add_router("/pickers", pickers.router)
router.add_router("/search", search.router)
