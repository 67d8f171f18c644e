/** @odoo-module */
/* A customer on a phone, in Chinese: files a complaint, follows it with the reference, the
 * phone and the code from the e-mail, adds information, and once replied answers the
 * satisfaction survey. The office's work in between is done by tests/test_portal_tour.py. */

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

tours.add("complaint_portal_zh_submit", {
    steps: () => [
        { trigger: "h1:contains('我要投诉')" },
        { trigger: "#partner_name", run: "edit 王芳" },
        { trigger: "#partner_phone", run: "edit 13812345678" },
        { trigger: "#partner_email", run: "edit wang.fang@example.com" },
        { trigger: "#category_id", run: "selectByLabel 快递延误" },
        { trigger: "#location", run: "edit 南山店" },
        { trigger: "#description", run: "edit 说好周一送到的包裹周四才到。" },
        { trigger: "#customer_demand", run: "edit 退还快递费。" },
        {
            trigger: "#complaint_challenge_question",
            async run(helpers) {
                const [first, second] = this.anchor.textContent.split("+").map((n) => parseInt(n, 10));
                await helpers.edit(String(first + second), "#challenge");
            },
        },
        { trigger: "button.o_complaint_submit:contains('提交投诉')", run: "click" },
        { trigger: ".o_complaint_submitted:contains('我们已收到您的投诉')" },
        { trigger: ".o_complaint_reference" },
    ],
});

tours.add("complaint_portal_zh_track", {
    steps: () => [
        { trigger: "h1:contains('查询投诉')" },
        { trigger: "#phone", run: "edit 138 1234 5678" },
        { trigger: "button.o_complaint_track", run: "click" },
        { trigger: "h1:contains('输入验证码')" },
        { trigger: "#code", run: "edit 135790" },
        { trigger: "button.o_complaint_code", run: "click" },
        { trigger: ".o_complaint_state:contains('已受理')" },
        { trigger: "#information_text", run: "edit 快递单号 SF1234567890" },
        { trigger: "button.o_complaint_add_send", run: "click" },
        { trigger: ".o_complaint_flash:contains('谢谢')" },
        { trigger: ".o_complaint_message:contains('SF1234567890')" },
    ],
});

tours.add("complaint_portal_zh_survey", {
    steps: () => [
        { trigger: ".o_complaint_reply:contains('我们的答复'):contains('express fee')" },
        { trigger: "#satisfaction_satisfied", run: "click" },
        { trigger: "#survey_comment", run: "edit 处理得很快" },
        { trigger: "button.o_complaint_survey_send", run: "click" },
        { trigger: ".o_complaint_flash:contains('谢谢')" },
        { trigger: ".o_complaint_page:not(:has(.o_complaint_survey))" },
    ],
});
