{
    "name": "Customer Complaints: Self-service Portal",
    "summary": "Customers file, follow, add to, withdraw and rate their complaints online",
    "version": "18.0.1.0.0",
    "category": "Services/Complaints",
    "license": "LGPL-3",
    "author": "Complaints maintainers",
    "website": "https://example.com/complaints",
    "depends": ["addon_complaints", "portal"],
    "data": [
        "security/ir.model.access.csv",
        "security/complaint_portal_security.xml",
        "data/mail_template_data.xml",
        "views/complaint_case_views.xml",
        "views/complaint_portal_templates.xml",
        "views/complaint_portal_my_templates.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "addon_complaints_portal/static/tests/tours/**/*",
        ],
    },
}
