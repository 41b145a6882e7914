// The part of the MetadataStore port that keeps ECR account settings
// (PutAccountSetting): name → value per account. Which names and values are
// valid, and what an unset name reads as, is the caller's business.

export interface AccountSettingsStore {
  /** The stored value, or undefined when the account never set the name. */
  get(accountId: string, name: string): Promise<string | undefined>;
  /** Sets or replaces the value. */
  put(accountId: string, name: string, value: string): Promise<void>;
}
