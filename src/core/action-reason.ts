// Terraform's `action_reason` (`delete_because_no_resource_config`, `replace_by_request`, ...)
// in words, one way for every view: the risk sentences, the comment's table and details, the
// terminal. Plan text: each view escapes it for itself.

/** The reason in words: `delete because no resource config`. */
export function actionReasonWords(reason: string): string {
  return reason.replace(/_/g, ' ');
}

/** Without the words the action already says: `no resource config` next to `delete`. */
export function shortActionReason(reason: string): string {
  return actionReasonWords(reason.replace(/^(delete|replace|read)_(because_)?/, ''));
}
