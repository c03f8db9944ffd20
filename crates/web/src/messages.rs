//! Chinese text for stable error codes, shared by the API's `detail` and the console.

/// The Chinese message for an error code.
pub fn zh_message(code: &str) -> &'static str {
    match code {
        "not_found" => "未找到该记录，或不在您的管辖范围内",
        "unauthenticated" => "请先登录",
        "session_expired" => "登录已超时，请重新登录",
        "forbidden" => "您没有执行此操作的权限",
        "csrf_failed" => "页面已过期或请求来源无效，请刷新后重试",
        "invalid_credentials" => "用户名或密码错误",
        "account_locked" => "账号已锁定（连续登录失败次数过多），请稍后再试或联系管理员解锁",
        "account_disabled" => "账号已停用，请联系管理员",
        "totp_required" => "请输入动态验证码",
        "totp_invalid" => "动态验证码错误",
        "totp_enrollment_required" => "请先绑定动态验证码",
        "password_change_required" => "请先修改密码",
        "malformed_json" => "请求体不是有效的 JSON",
        "invalid_body" => "请求内容字段缺失或类型错误",
        "invalid_form" => "表单内容无效",
        "invalid_query" => "查询参数无效",
        "unsupported_media_type" => "不支持的内容类型",
        "body_too_large" => "请求内容过大",
        "validation_failed" => "输入有误，请检查标注的字段",
        "invalid_reference" => "引用的单位、部门或上级不存在或不在管辖范围内",
        "username_taken" => "用户名已被使用",
        "org_code_taken" => "代码已被使用",
        "department_name_taken" => "该单位下已有同名部门",
        "category_code_taken" => "该分类代码已被使用（停用的分类代码也不能重复使用）",
        "method_not_allowed" => "不支持该请求方法",
        "cannot_change_self" => "不能对自己的账号执行此操作",
        "internal" => "系统内部错误，请稍后重试",
        _ => "请求无法完成",
    }
}
