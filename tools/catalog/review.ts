// The review of the stateful catalog (src/core/risk/catalog.ts) against the providers' published
// resource types (provider-types.json, from provider-types.ts).
//
// A type name is not enough to say a resource holds data, so the names only suggest candidates:
// every resource type whose name ends in a data-bearing noun (CANDIDATE). Each candidate was
// reviewed: it is in the catalog, or one of the rules below says why it is not. The catalog
// test fails on a candidate that is neither, so a provider upgrade that adds, say,
// `aws_foo_database` asks for a decision instead of being missed.

/** Names that suggest a resource holds data. */
export const CANDIDATE =
  /(?:^|_)(database|databases|db|bucket|volume|disk|snapshot|backup|file_system|filesystem|share|queue|topic|stream|cache|vault|key|key_ring|crypto_key|secret|zone|registry|repository|table|dataset|ledger|warehouse|keyspace|graph|user_pool|namespace|collection|store|log_group|workspace|index|cluster|domain)$/;

/** Providers whose candidates were reviewed (google-beta repeats google's names). */
export const REVIEWED_PACKAGES = [
  '@cdktf/provider-aws',
  '@cdktf/provider-google',
  '@cdktf/provider-azurerm',
  '@cdktf/provider-azuread',
  '@cdktf/provider-kubernetes',
  '@cdktf/provider-cloudflare',
  '@cdktf/provider-digitalocean',
  '@cdktf/provider-mongodbatlas',
  '@cdktf/provider-snowflake',
  '@cdktf/provider-databricks',
  '@cdktf/provider-postgresql',
  '@cdktf/provider-github',
  '@cdktf/provider-tfe',
  '@cdktf/provider-vault',
  '@pulumi/aiven',
  '@pulumi/confluentcloud',
] as const;

/** Candidates left out by kind, each with the reason. */
export const NOT_STATEFUL_PATTERNS: readonly { pattern: RegExp; why: string }[] = [
  {
    pattern:
      /_(api_key|access_key|ssh_key|ssh_public_key|public_key|host_key|gpg_key|deploy_key|hmac_key|signed_url_key|account_key|customer_managed_key|server_key|workspace_key|usage_plan_key|spaces_key|tag_key|stream_key|provider_key|external_account_key|recaptcha_enterprise_key|apikeys_key|service_account_key|signing_key|synapse_workspace_key|openai_api_key|default_kms_key|bucket_access_key)$/,
    why: 'a credential or a reference to a key held elsewhere: destroying it revokes access, and a new one is issued; no stored data goes with it',
  },
  {
    pattern:
      /^(github|azuread|databricks|cloudflare|tfe)_.*secret$|_frontdoor_secret$|_user_workloads_secret$/,
    why: 'a copy of a secret whose value comes from the configuration or another store (CI secrets, service principal secrets): recreated identically',
  },
  {
    pattern:
      /(custom_domain|_domain_topic|pages_domain|hosting_domain|hosting_default_domain|managed_domain|workers_custom_domain|peered_dns_domain|user_pool_domain|service_domain|communication_service_domain|voice_profile_domain|multicast_domain|registered_domain|registrar_domain|route53domains_domain|lightsail_domain|swf_domain|digitalocean_domain|eventgrid_domain|codeartifact_domain|datazone_domain)$/,
    why: 'a name binding, a registration or a routing domain: recreated from the configuration; registered domains are not given up when Terraform forgets them',
  },
  {
    pattern:
      /_(route_table|rule_collection|policy_table|resource_collection|cidr_collection|rule_group_namespace|trust_store|event_stream|metric_stream|notification_topic|activity_stream|qldb_stream|stream_on_table|stream_on_external_table|stream_on_directory_table)$/,
    why: 'routing, rules or a feed of events to somewhere else: configuration, recreated identically; the data is where the feed delivers it',
  },
  {
    pattern:
      /_(ram_resource_share|portfolio_share|framework_share|data_share|snowflake_share|databricks_share|grant_privileges_to_share|app_installation_repository|team_repository|organization_secret_repository)$|^snowflake_share$|^databricks_share$|^azurerm_data_share$/,
    why: 'a grant that shares data living elsewhere: removing it removes access, not data',
  },
  {
    pattern:
      /_(file_share|nfs_file_share|smb_file_share)$|_storagegateway_cache$|_fsx_file_cache$|_hpc_cache$|_anywhere_cache$|tiered_cache$|_appsync_api_cache$|_api_management_redis_cache$/,
    why: 'a gateway or cache in front of data that lives in a bucket or file system (listed): its contents come back from there',
  },
  {
    pattern:
      /^(aws_ecs|aws_emr|aws_emrcontainers_virtual|aws_finspace_kx|aws_route53recoverycontrolconfig|azurerm_hdinsight_.*|azurerm_service_fabric.*|azurerm_arc_kubernetes.*|azurerm_redhat_openshift|azurerm_stack_hci|azurerm_vmware|azurerm_machine_learning_(compute|inference)|azurerm_stream_analytics|azurerm_log_analytics|azurerm_eventhub|google_dataproc|google_container_(attached|aws|azure)|google_gkeonprem_.*|google_edgecontainer|google_vmwareengine|databricks)_cluster$/,
    why: 'a compute cluster: its durable data lives in buckets, storage accounts, workspaces or namespaces, which are listed (HDInsight keeps HDFS in a storage account; a dedicated Log Analytics or Event Hubs cluster hosts workspaces and namespaces that are listed)',
  },
  {
    pattern:
      /_(batch_job_queue|game_session_queue|media_convert_queue|connect_queue|cloud_tasks_queue|output_servicebus_queue|output_servicebus_topic|output_table)$/,
    why: 'a job or routing queue holding work items only briefly, or an endpoint that points at a queue listed elsewhere',
  },
  {
    pattern:
      /^(aws_sns_topic|aws_kinesis_firehose_delivery_stream|azurerm_eventgrid_(topic|system_topic|namespace|partner_namespace)|google_pubsub_lite_topic|aws_ses_identity_notification_topic)$/,
    why: 'delivers events or messages and does not keep them (or keeps them only for minutes)',
  },
  {
    pattern:
      /_(http_namespace|private_dns_namespace|public_dns_namespace|channel_namespace|dispatch_namespace|gke_hub_namespace|quicksight_namespace|notification_hub_namespace|relay_namespace|s3tables_namespace)$/,
    why: 'a naming or routing scope whose members are separate resources',
  },
  {
    pattern:
      /_(verifier_workspace|security_center_workspace|virtual_desktop_workspace|api_management_workspace|healthcare_workspace)$/,
    why: 'a grouping or configuration scope (its data-bearing members are separate, listed resources)',
  },
  {
    pattern:
      /_(partition_index|place_index|firestore_index|search_index|resourceexplorer2_index|code_repository_index|deployed_index|vertex_ai_index)$/,
    why: 'an index over data that lives elsewhere: rebuilt from it',
  },
  {
    pattern:
      /_(glue_registry|schemas_registry|impersonation_registry|kafka_schema_registry|connected_registry)$|^google_container_registry$/,
    why: 'a schema or configuration registry recreated from code (image registries that hold artifacts are listed)',
  },
  {
    pattern:
      /_(custom_dataset|dataset_azure_sql_table|dataset_sql_server_table|dataset_kusto_cluster|dataset_kusto_database|linked_dataset|dlp_dataset|linked_service_azure_sql_database|linked_service_key_vault|discovery_engine_data_store|consent_store|policy_store|feature_online_store|online_store|key_value_store)$/,
    why: 'a pointer to, or a view of, data that lives elsewhere (Data Factory datasets and linked services, linked log datasets, online feature stores and synced tables rebuilt from their source)',
  },
  {
    pattern:
      /_(glue_catalog_table|biglake_table|configured_table|dynamic_table|external_table|online_table|synced_database_table|log_analytics_workspace_table|policy_table)$/,
    why: 'metadata over data in a bucket or lake (external, catalog and configured tables), or a table derived from another one (dynamic, online, synced): recreated from its source',
  },
  {
    pattern:
      /_(glue_catalog_database|athena_database|biglake_database|shared_database|secondary_database|clone_from_backup|clone_from_database)$/,
    why: 'a catalog entry over data in a bucket (Glue, Athena, BigLake), or a share or replica of a database that lives elsewhere',
  },
  {
    pattern:
      // Azure DevOps hosts the repository itself (in the catalog since issue 23).
      /^(?!azuredevops_git_repository$).*_(codecatalyst_source_repository|secure_source_manager_repository|sagemaker_code_repository|git_repository|image_repository|cloudbuildv2_repository)$/,
    why: 'a link to a git repository hosted elsewhere, or an image repository whose images are rebuilt by CI',
  },
  {
    pattern:
      /_(backup_policy_file_share|protected_file_share|backup_instance_disk|backup_instance_kubernetes_cluster|backup_policy_disk|backup_policy_kubernetes_cluster|postgresql_flexible_server_backup|oracle_autonomous_database_backup|application_snapshot)$/,
    why: 'a backup policy or protection link, or an on-demand backup the service keeps in its own vault: the backups are in the vault (listed)',
  },
  {
    pattern:
      /_(attached_disk|instant_snapshot|virtual_hard_disk|restore_point_collection|nfs_snapshot)$/,
    why: 'an attachment, or a short-lived or derived copy; the disk or volume itself is listed',
  },
  {
    pattern: /_(backend_bucket|usage_export_bucket|snapshot_export_bucket)$/,
    why: 'a pointer to a bucket (the bucket itself is listed)',
  },
  {
    pattern: /_(dataplex_zone|connectors_managed_zone|apigee_dns_zone|landing_zone)$/,
    why: 'a logical zone or a DNS peering zone with no records of its own (DNS zones with records are listed)',
  },
  {
    pattern: /_(detective_graph|rekognition_collection|geofence_collection)$/,
    why: 'derived or re-ingestible data: a behaviour graph rebuilt from logs, a face or geofence collection loaded from source data',
  },
  {
    pattern: /_(cloudwatch_log_stream|datastream_stream)$|^cloudflare_stream$/,
    why: 'a replication pipe or a single log stream inside a log group (the log group is listed); Cloudflare Stream holds uploaded videos kept in their source too',
  },
  {
    pattern: /_(exascale_database_storage_vault)$/,
    why: 'a settings object of a vault listed elsewhere',
  },
];

/**
 * Candidates reviewed one by one and left out, with the reason.
 */
export const REVIEWED: Readonly<Record<string, string>> = {
  aws_cloudfront_public_key: 'a public key for signed URLs: no data',
  aws_cloudfrontkeyvaluestore_key: 'one entry of a key value store, written by the configuration',
  aws_cognito_user_pool_domain: 'a domain for the hosted UI',
  aws_codeartifact_domain: 'holds the repositories, which are listed',
  aws_ec2_transit_gateway_route_table: 'routing configuration',
  aws_default_route_table: 'routing configuration',
  aws_route_table: 'routing configuration',
  aws_iam_access_key: 'a credential: a new one is issued',
  aws_iam_user_ssh_key: 'a credential',
  aws_kms_custom_key_store:
    'a connection to a CloudHSM cluster (listed) or an external key manager',
  aws_lb_trust_store: 'CA bundle loaded from a bucket',
  aws_lightsail_bucket_access_key: 'a credential',
  aws_route53_key_signing_key: 'DNSSEC signing key, regenerated; the zone is listed',
  aws_s3vectors_index: 'an index inside a vector bucket (the bucket is listed)',
  aws_transfer_host_key: 'a host key of an SFTP server',
  aws_transfer_ssh_key: 'a credential',
  aws_wafv2_api_key: 'a credential',
  aws_grafana_workspace_api_key: 'a credential',
  aws_api_gateway_api_key: 'a credential',
  aws_appsync_api_key: 'a credential',
  aws_chimesdkvoice_voice_profile_domain: 'a voice profile configuration',
  aws_controltower_landing_zone:
    'account governance configuration; the accounts are not deleted with it',
  aws_sagemaker_code_repository: 'a link to a git repository hosted elsewhere',
  aws_odb_cloud_vm_cluster: 'Oracle Database@AWS compute; the databases are separate resources',
  aws_odb_cloud_autonomous_vm_cluster:
    'Oracle Database@AWS compute; the databases are separate resources',
  aws_storagegateway_cache: 'a cache disk of a gateway; data is in S3',
  aws_workspacesweb_trust_store: 'CA bundle',
  azurerm_app_configuration_key:
    'one key of an App Configuration store (listed), usually written by the configuration',
  azurerm_application_insights_api_key: 'a credential',
  azurerm_nginx_api_key: 'a credential',
  azurerm_postgresql_server_key: 'a customer-managed key reference',
  azurerm_ssh_public_key: 'a credential',
  azurerm_virtual_hub_route_table: 'routing configuration',
  azurerm_route_table: 'routing configuration',
  azurerm_key_vault_managed_hardware_security_module_key:
    'listed through its managed HSM; keys inside an HSM are recovered with it (soft delete)',
  azurerm_iothub_endpoint_servicebus_queue: 'an endpoint pointing at a queue listed elsewhere',
  azurerm_iothub_endpoint_servicebus_topic: 'an endpoint pointing at a topic listed elsewhere',
  google_compute_backend_service_signed_url_key: 'a credential',
  google_iam_workforce_pool_provider_key: 'a credential',
  google_os_login_ssh_public_key: 'a credential',
  google_public_ca_external_account_key: 'a credential',
  google_service_account_key: 'a credential',
  google_storage_hmac_key: 'a credential',
  google_tags_tag_key: 'a tag definition',
  google_active_directory_domain:
    'a managed AD domain whose directory is usually synced from on-premises; listed by users who keep it only there',
  google_netapp_backup: 'one backup inside a backup vault',
  google_netapp_backup_vault: 'holds backups of NetApp volumes (the volumes are listed)',
  azurerm_netapp_backup_vault: 'holds backups of NetApp volumes (the volumes are listed)',
  azuread_synchronization_secret: 'a provisioning credential',
  cloudflare_r2_custom_domain: 'a domain binding',
  cloudflare_r2_managed_domain: 'a domain binding',
  cloudflare_regional_tiered_cache: 'cache settings',
  cloudflare_tiered_cache: 'cache settings',
  cloudflare_stream_key: 'a signing key',
  cloudflare_workers_for_platforms_dispatch_namespace: 'routing for worker scripts',
  digitalocean_genai_openai_api_key: 'a credential',
  digitalocean_spaces_key: 'a credential',
  digitalocean_ssh_key: 'a credential',
  mongodbatlas_access_list_api_key: 'an access rule of a credential',
  mongodbatlas_api_key: 'a credential',
  mongodbatlas_project_api_key: 'a credential',
  snowflake_external_volume: 'a pointer to a bucket',
  snowflake_warehouse: 'compute only: Snowflake data lives in databases (listed)',
  databricks_table: 'metadata of a table whose files are in a volume or bucket (listed)',
  databricks_vector_search_index: 'an index rebuilt from its source table',
  tfe_registry_gpg_key: 'a credential',
  tfe_ssh_key: 'a credential',
  vault_identity_oidc_key: 'a signing key, rotated by design',
  vault_pki_secret_backend_config_cluster: 'configuration',
  vault_namespace: 'an enterprise namespace; its mounts (listed) hold the data',
  github_repository_deploy_key: 'a credential',
  github_user_gpg_key: 'a credential',
  github_user_ssh_key: 'a credential',
  aiven_kafka_schema: 'a schema version, registered again from code',
  aiven_influx_db: 'the Pulumi-derived name of aiven_influxdb (listed)',
  aiven_m3_db: 'the Pulumi-derived name of aiven_m3db (listed)',
  aws_datasync_location_fsx_lustre_file_system: 'a DataSync pointer to a file system (listed)',
  aws_datasync_location_fsx_ontap_file_system: 'a DataSync pointer to a file system (listed)',
  aws_datasync_location_fsx_openzfs_file_system: 'a DataSync pointer to a file system (listed)',
  aws_datasync_location_fsx_windows_file_system: 'a DataSync pointer to a file system (listed)',
  azurerm_cdn_frontdoor_route_disable_link_to_default_domain: 'routing configuration',
  azurerm_cosmosdb_notebook_workspace:
    'a notebook environment attached to a Cosmos DB account (listed)',
  confluent_byok_key: 'a reference to a key held in the cloud provider\u2019s KMS',
  confluent_flink_materialized_table: 'derived from a Flink query over topics (listed)',
  confluent_kafka_mirror_topic: 'a mirror of a topic that lives in another cluster',
  confluent_ksql_cluster: 'compute over topics (listed)',
  confluent_rtce_topic: 'a derived topic configuration',
  confluent_tableflow_topic: 'materializes a topic (listed) into tables in a bucket (listed)',
  confluent_api_key: 'a credential',
};

/** Why a candidate type is not in the catalog, or undefined when nothing says why. */
export function whyNotStateful(type: string): string | undefined {
  return REVIEWED[type] ?? NOT_STATEFUL_PATTERNS.find((r) => r.pattern.test(type))?.why;
}
