/** @odoo-module */
/* The story of one complaint, told by the people who handle it: the intake clerk registers
 * and accepts it, the complaint office dispatches it, the handler fills in the handling
 * sheet, and the office closes it after the callback. Each act is its own tour, run as the
 * user of that role (see tests/test_tour.py). */

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

tours.add("complaint_story_clerk_registers", {
    url: "/odoo/action-addon_complaints.complaint_case_action",
    steps: () => [
        { trigger: ".o_control_panel .o_list_button_add, .o_control_panel .o-kanban-button-new", run: "click" },
        { trigger: ".o_field_widget[name=subject] input", run: "edit Cartons delivered wet" },
        { trigger: ".o_field_widget[name=partner_name] input", run: "edit Tour Customer" },
        { trigger: ".o_field_widget[name=partner_phone] input", run: "edit 13811112222" },
        { trigger: ".o_field_widget[name=channel_id] input", run: "edit Walk" },
        { trigger: ".o-autocomplete--dropdown-item a:contains('Walk-in')", run: "click" },
        { trigger: ".o_field_widget[name=description] textarea", run: "edit Three cartons arrived soaked." },
        { trigger: ".o_field_widget[name=customer_demand] textarea", run: "edit Replace the cartons." },
        { trigger: ".o_form_button_save", run: "click" },
        { trigger: ".o_form_saved" },
        { trigger: "button[name=action_accept]", run: "click" },
        { trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Accepted')" },
    ],
});

tours.add("complaint_story_office_dispatches", {
    steps: () => [
        { trigger: "button[name=action_open_dispatch_wizard]", run: "click" },
        { trigger: ".modal .o_field_widget[name=department_id] input", run: "edit Logistics Tour" },
        { trigger: ".o-autocomplete--dropdown-item a:contains('Logistics Tour Dept')", run: "click" },
        { trigger: ".modal .o_field_widget[name=user_id] input", run: "edit Handler" },
        { trigger: ".o-autocomplete--dropdown-item a:contains('Handler Tour')", run: "click" },
        { trigger: ".modal button[name=action_confirm]", run: "click" },
        { trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Dispatched')" },
    ],
});

tours.add("complaint_story_handler_feeds_back", {
    steps: () => [
        { trigger: "a.nav-link:contains('Handling Sheet')", run: "click" },
        { trigger: ".o_field_widget[name=facts] textarea", run: "edit The truck roof leaked in the rain." },
        { trigger: ".o_field_widget[name=cause_type] select", run: "select \"company\"" },
        { trigger: ".o_field_widget[name=handling_opinion] textarea", run: "edit Replace the cartons, repair the roof." },
        { trigger: ".o_field_widget[name=handling_hours] input", run: "edit 02:30" },
        { trigger: ".o_field_widget[name=handling_process] textarea", run: "edit Visited the store, replaced the goods." },
        { trigger: ".o_field_widget[name=handling_result] textarea", run: "edit Goods replaced the same day." },
        { trigger: ".o_field_widget[name=handling_satisfaction] select", run: "select \"satisfied\"" },
        { trigger: ".o_form_button_save", run: "click" },
        { trigger: ".o_form_saved" },
        { trigger: "button[name=action_submit_feedback]", run: "click" },
        { trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Feedback')" },
    ],
});

tours.add("complaint_story_office_closes", {
    steps: () => [
        { trigger: "button[name=action_open_close_wizard]", run: "click" },
        { trigger: ".modal .o_field_widget[name=criterion] input[data-value=customer_accepts]:checked" },
        { trigger: ".modal .o_field_widget[name=evidence] textarea", run: "edit The customer confirmed on the phone." },
        { trigger: ".modal .o_field_widget[name=improvement] textarea", run: "edit Check truck roofs monthly." },
        { trigger: ".modal button[name=action_confirm]", run: "click" },
        { trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Closed')" },
    ],
});
