{
    "name": "Customer Complaints - Accounting",
    "summary": "Approved compensation becomes credit notes, payments or vouchers in Odoo "
               "Accounting, and is marked paid from the ledger",
    "version": "18.0.1.0.0",
    "category": "Services/Complaints",
    "license": "LGPL-3",
    "author": "Complaints maintainers",
    "website": "https://example.com/complaints",
    "depends": ["addon_complaints", "account"],
    "data": [
        "security/complaint_account_security.xml",
        "security/ir.model.access.csv",
        "views/complaint_remedy_account_rule_views.xml",
        "views/complaint_compensation_views.xml",
        "views/account_move_views.xml",
        "views/account_payment_views.xml",
        "views/menus.xml",
    ],
}
