/**
 * The catalog of stateful Terraform resource types.
 *
 * Deleting or replacing a resource of one of these types loses data, or loses a data-bearing
 * thing that cannot be recreated identically (a key whose ciphertexts become unreadable, a DNS
 * zone whose name servers change, a namespace or resource group that takes its contents with it).
 * The `stateful-destroy` rule fires on a delete or replace of any of these types; users extend the
 * list through `risk.stateful_types` in the config file (see `statefulType`'s `extra`).
 *
 * Every name below is a real resource type of its provider: test/core/risk/catalog.test.ts checks
 * each against the resource types extracted from the providers' published schema packages
 * (tools/catalog/provider-types.json, written by tools/catalog/provider-types.ts, with the
 * package and provider versions). The review of the candidates that list suggests, and why the
 * ones left out were left out, is in tools/catalog/review.ts.
 *
 * Deliberately NOT in the catalog (data does not live in them, or the data is reproducible):
 * - aws_rds_cluster_instance, aws_docdb_cluster_instance, aws_neptune_cluster_instance and
 *   google_alloydb_instance: compute nodes of a cluster; the storage volume belongs to the
 *   cluster resource (which is listed), so replacing an instance loses no data.
 * - aws_instance, google_compute_instance, azurerm_linux_virtual_machine and kin: VMs are
 *   treated as disposable here; their data disks are listed separately (aws_ebs_volume,
 *   google_compute_disk, azurerm_managed_disk).
 * - aws_kinesis_firehose_delivery_stream: only buffers records for minutes on their way to a
 *   destination; it does not retain them.
 * - aws_sns_topic: delivers messages, does not store them.
 * - aws_dynamodb_table_replica: a regional copy of a table whose data also lives elsewhere.
 * - aws_emr_cluster, google_dataproc_cluster: compute clusters whose HDFS is scratch space in
 *   practice; durable data sits in buckets (listed).
 * - aws_s3_object, google_storage_bucket_object, azurerm_storage_blob (and kin, DATA_OBJECT_TYPES):
 *   their content usually comes from the configuration itself and is recreated identically. A
 *   delete of one is still a piece of data gone: the `object-destroy` rule says so, below critical.
 * - kubernetes_storage_class(_v1): a provisioning policy, holds no data; the volumes it provisioned
 *   are kubernetes_persistent_volume(_claim) (listed).
 */

export type Cloud = 'aws' | 'google' | 'azure' | 'kubernetes' | 'other';

export type StatefulCategory =
  | 'database'
  | 'cluster'
  | 'bucket'
  | 'volume'
  | 'snapshot'
  | 'backup'
  | 'file-system'
  | 'queue'
  | 'stream'
  | 'cache'
  | 'key-store'
  | 'secret'
  | 'dns-zone'
  | 'registry'
  | 'search'
  | 'warehouse'
  | 'log-store'
  | 'directory'
  | 'other-data';

export interface StatefulType {
  /** Exact Terraform resource type, e.g. `aws_db_instance`. */
  type: string;
  cloud: Cloud;
  category: StatefulCategory;
  /** Short human noun phrase, e.g. 'RDS database instance'. */
  what: string;
}

/** One row of a per-cloud table: [type, category, what]. */
type Row = readonly [type: string, category: StatefulCategory, what: string];

const AWS: readonly Row[] = [
  // Relational and NoSQL databases
  ['aws_db_instance', 'database', 'RDS database instance'],
  ['aws_rds_cluster', 'database', 'Aurora/RDS database cluster'],
  ['aws_rds_global_cluster', 'database', 'Aurora global database'],
  ['aws_docdb_cluster', 'database', 'DocumentDB cluster'],
  ['aws_docdb_global_cluster', 'database', 'DocumentDB global cluster'],
  ['aws_docdbelastic_cluster', 'database', 'DocumentDB elastic cluster'],
  ['aws_neptune_cluster', 'database', 'Neptune graph database cluster'],
  ['aws_neptune_global_cluster', 'database', 'Neptune global database'],
  ['aws_neptunegraph_graph', 'database', 'Neptune Analytics graph'],
  ['aws_dsql_cluster', 'database', 'Aurora DSQL cluster'],
  ['aws_timestreaminfluxdb_db_cluster', 'database', 'Timestream for InfluxDB cluster'],
  ['aws_finspace_kx_database', 'database', 'FinSpace kdb database'],
  ['aws_customerprofiles_domain', 'database', 'Customer Profiles domain (the profiles)'],
  ['aws_dynamodb_table', 'database', 'DynamoDB table'],
  ['aws_dynamodb_global_table', 'database', 'DynamoDB global table (legacy)'],
  ['aws_keyspaces_keyspace', 'database', 'Keyspaces (Cassandra) keyspace'],
  ['aws_keyspaces_table', 'database', 'Keyspaces (Cassandra) table'],
  ['aws_timestreamwrite_database', 'database', 'Timestream database'],
  ['aws_timestreamwrite_table', 'database', 'Timestream table'],
  ['aws_qldb_ledger', 'database', 'QLDB ledger'],
  ['aws_lightsail_database', 'database', 'Lightsail database'],
  // Warehouses and analytics stores
  ['aws_redshift_cluster', 'warehouse', 'Redshift cluster'],
  ['aws_redshiftserverless_namespace', 'warehouse', 'Redshift Serverless namespace'],
  ['aws_s3tables_table_bucket', 'warehouse', 'S3 Tables table bucket'],
  ['aws_s3tables_table', 'warehouse', 'S3 Tables table'],
  ['aws_sagemaker_feature_group', 'other-data', 'SageMaker feature group'],
  // Object storage
  ['aws_s3_bucket', 'bucket', 'S3 bucket'],
  ['aws_s3_directory_bucket', 'bucket', 'S3 Express One Zone directory bucket'],
  ['aws_s3control_bucket', 'bucket', 'S3 on Outposts bucket'],
  ['aws_s3vectors_vector_bucket', 'bucket', 'S3 Vectors vector bucket'],
  ['aws_glacier_vault', 'bucket', 'S3 Glacier vault'],
  ['aws_lightsail_bucket', 'bucket', 'Lightsail object storage bucket'],
  // Block volumes
  ['aws_ebs_volume', 'volume', 'EBS volume'],
  ['aws_lightsail_disk', 'volume', 'Lightsail block storage disk'],
  ['aws_finspace_kx_volume', 'volume', 'FinSpace kdb volume'],
  ['aws_workspaces_workspace', 'volume', 'WorkSpaces desktop (its user volume)'],
  ['aws_storagegateway_cached_iscsi_volume', 'volume', 'Storage Gateway cached iSCSI volume'],
  ['aws_storagegateway_stored_iscsi_volume', 'volume', 'Storage Gateway stored iSCSI volume'],
  // Snapshots and images
  ['aws_ebs_snapshot', 'snapshot', 'EBS snapshot'],
  ['aws_ebs_snapshot_copy', 'snapshot', 'EBS snapshot copy'],
  ['aws_ami_from_instance', 'snapshot', 'AMI captured from an instance'],
  ['aws_db_snapshot', 'snapshot', 'RDS database snapshot'],
  ['aws_db_snapshot_copy', 'snapshot', 'RDS database snapshot copy'],
  ['aws_db_cluster_snapshot', 'snapshot', 'RDS cluster snapshot'],
  ['aws_docdb_cluster_snapshot', 'snapshot', 'DocumentDB cluster snapshot'],
  ['aws_neptune_cluster_snapshot', 'snapshot', 'Neptune cluster snapshot'],
  ['aws_redshift_cluster_snapshot', 'snapshot', 'Redshift cluster snapshot'],
  ['aws_memorydb_snapshot', 'snapshot', 'MemoryDB snapshot'],
  ['aws_fsx_openzfs_snapshot', 'snapshot', 'FSx for OpenZFS snapshot'],
  ['aws_redshiftserverless_snapshot', 'snapshot', 'Redshift Serverless snapshot'],
  // Backups
  ['aws_backup_vault', 'backup', 'AWS Backup vault'],
  ['aws_backup_logically_air_gapped_vault', 'backup', 'AWS Backup logically air-gapped vault'],
  ['aws_fsx_backup', 'backup', 'FSx backup'],
  // File systems
  ['aws_efs_file_system', 'file-system', 'EFS file system'],
  ['aws_fsx_lustre_file_system', 'file-system', 'FSx for Lustre file system'],
  ['aws_fsx_windows_file_system', 'file-system', 'FSx for Windows file system'],
  ['aws_fsx_ontap_file_system', 'file-system', 'FSx for NetApp ONTAP file system'],
  ['aws_fsx_ontap_volume', 'file-system', 'FSx for NetApp ONTAP volume'],
  ['aws_fsx_openzfs_file_system', 'file-system', 'FSx for OpenZFS file system'],
  ['aws_fsx_openzfs_volume', 'file-system', 'FSx for OpenZFS volume'],
  // Caches and in-memory stores
  ['aws_elasticache_cluster', 'cache', 'ElastiCache cluster'],
  ['aws_elasticache_replication_group', 'cache', 'ElastiCache replication group'],
  ['aws_elasticache_global_replication_group', 'cache', 'ElastiCache global datastore'],
  ['aws_elasticache_serverless_cache', 'cache', 'ElastiCache serverless cache'],
  ['aws_memorydb_cluster', 'cache', 'MemoryDB cluster'],
  ['aws_memorydb_multi_region_cluster', 'cache', 'MemoryDB multi-Region cluster'],
  ['aws_dax_cluster', 'cache', 'DynamoDB Accelerator (DAX) cluster'],
  // Queues and streams
  ['aws_sqs_queue', 'queue', 'SQS queue'],
  ['aws_mq_broker', 'queue', 'Amazon MQ broker'],
  ['aws_kinesis_stream', 'stream', 'Kinesis data stream'],
  ['aws_kinesis_video_stream', 'stream', 'Kinesis video stream'],
  ['aws_msk_cluster', 'stream', 'MSK (Kafka) cluster'],
  ['aws_msk_serverless_cluster', 'stream', 'MSK Serverless (Kafka) cluster'],
  // Keys, certificates, secrets
  ['aws_kms_key', 'key-store', 'KMS key'],
  ['aws_kms_replica_key', 'key-store', 'KMS multi-Region replica key'],
  ['aws_kms_external_key', 'key-store', 'KMS key with imported key material'],
  ['aws_kms_replica_external_key', 'key-store', 'KMS replica key with imported key material'],
  ['aws_cloudhsm_v2_cluster', 'key-store', 'CloudHSM cluster (the keys in its HSMs)'],
  ['aws_paymentcryptography_key', 'key-store', 'Payment Cryptography key'],
  ['aws_acmpca_certificate_authority', 'key-store', 'Private certificate authority'],
  ['aws_secretsmanager_secret', 'secret', 'Secrets Manager secret'],
  // Values are often written outside Terraform (ignore_changes); a replace loses them.
  ['aws_ssm_parameter', 'secret', 'SSM Parameter Store parameter'],
  // DNS
  ['aws_route53_zone', 'dns-zone', 'Route 53 hosted zone'],
  // Registries and repositories
  ['aws_ecr_repository', 'registry', 'ECR container image repository'],
  ['aws_ecrpublic_repository', 'registry', 'ECR Public image repository'],
  ['aws_codeartifact_repository', 'registry', 'CodeArtifact package repository'],
  ['aws_codecommit_repository', 'other-data', 'CodeCommit git repository'],
  // Search
  ['aws_opensearch_domain', 'search', 'OpenSearch domain'],
  ['aws_elasticsearch_domain', 'search', 'Elasticsearch domain'],
  ['aws_opensearchserverless_collection', 'search', 'OpenSearch Serverless collection'],
  ['aws_cloudsearch_domain', 'search', 'CloudSearch domain'],
  ['aws_kendra_index', 'search', 'Kendra index'],
  // Logs and metrics
  ['aws_cloudwatch_log_group', 'log-store', 'CloudWatch log group'],
  ['aws_prometheus_workspace', 'log-store', 'Managed Prometheus workspace'],
  ['aws_cloudtrail_event_data_store', 'log-store', 'CloudTrail Lake event data store'],
  ['aws_grafana_workspace', 'other-data', 'Managed Grafana workspace (dashboards)'],
  // Directories and identity stores
  ['aws_cognito_user_pool', 'directory', 'Cognito user pool'],
  ['aws_cognito_identity_pool', 'directory', 'Cognito identity pool'],
  ['aws_sagemaker_domain', 'file-system', 'SageMaker domain (its EFS home directories)'],
  ['aws_directory_service_directory', 'directory', 'Directory Service directory'],
  // Clusters (workloads, persistent volumes and etcd state go with them)
  ['aws_eks_cluster', 'cluster', 'EKS Kubernetes cluster'],
];

const GOOGLE: readonly Row[] = [
  // Databases
  ['google_sql_database_instance', 'database', 'Cloud SQL instance'],
  ['google_sql_database', 'database', 'Cloud SQL database'],
  ['google_spanner_instance', 'database', 'Spanner instance'],
  ['google_spanner_database', 'database', 'Spanner database'],
  ['google_bigtable_instance', 'database', 'Bigtable instance'],
  ['google_bigtable_table', 'database', 'Bigtable table'],
  ['google_firestore_database', 'database', 'Firestore database'],
  ['google_firebase_database_instance', 'database', 'Firebase Realtime Database instance'],
  ['google_alloydb_cluster', 'database', 'AlloyDB cluster'],
  [
    'google_oracle_database_autonomous_database',
    'database',
    'Oracle Database@Google Cloud autonomous database',
  ],
  [
    'google_oracle_database_cloud_vm_cluster',
    'database',
    'Oracle Database@Google Cloud VM cluster (its databases)',
  ],
  // Warehouses and analytics stores
  ['google_bigquery_dataset', 'warehouse', 'BigQuery dataset'],
  ['google_bigquery_table', 'warehouse', 'BigQuery table'],
  ['google_dataproc_metastore_service', 'warehouse', 'Dataproc Metastore (Hive) service'],
  ['google_vertex_ai_dataset', 'other-data', 'Vertex AI dataset'],
  ['google_vertex_ai_featurestore', 'other-data', 'Vertex AI featurestore'],
  ['google_healthcare_dataset', 'other-data', 'Cloud Healthcare dataset'],
  ['google_healthcare_fhir_store', 'other-data', 'Cloud Healthcare FHIR store'],
  ['google_healthcare_dicom_store', 'other-data', 'Cloud Healthcare DICOM store'],
  ['google_healthcare_hl7_v2_store', 'other-data', 'Cloud Healthcare HL7v2 store'],
  // Object storage
  ['google_storage_bucket', 'bucket', 'Cloud Storage bucket'],
  // Volumes
  ['google_compute_disk', 'volume', 'Compute Engine persistent disk'],
  ['google_compute_region_disk', 'volume', 'Compute Engine regional persistent disk'],
  // Snapshots and images
  ['google_compute_snapshot', 'snapshot', 'Compute Engine disk snapshot'],
  ['google_compute_image', 'snapshot', 'Compute Engine custom image'],
  ['google_compute_machine_image', 'snapshot', 'Compute Engine machine image'],
  ['google_filestore_snapshot', 'snapshot', 'Filestore snapshot'],
  ['google_netapp_volume_snapshot', 'snapshot', 'NetApp Volumes snapshot'],
  // Backups
  ['google_filestore_backup', 'backup', 'Filestore backup'],
  ['google_alloydb_backup', 'backup', 'AlloyDB backup'],
  ['google_backup_dr_backup_vault', 'backup', 'Backup and DR backup vault'],
  // File systems
  ['google_filestore_instance', 'file-system', 'Filestore instance'],
  ['google_netapp_volume', 'file-system', 'NetApp Volumes volume'],
  // Caches
  ['google_redis_instance', 'cache', 'Memorystore for Redis instance'],
  ['google_redis_cluster', 'cache', 'Memorystore for Redis cluster'],
  ['google_memorystore_instance', 'cache', 'Memorystore (Valkey) instance'],
  ['google_memcache_instance', 'cache', 'Memorystore for Memcached instance'],
  // Messaging
  ['google_pubsub_topic', 'stream', 'Pub/Sub topic'],
  ['google_pubsub_subscription', 'queue', 'Pub/Sub subscription (unacked messages)'],
  ['google_managed_kafka_cluster', 'stream', 'Managed Service for Apache Kafka cluster'],
  ['google_managed_kafka_topic', 'stream', 'Managed Kafka topic'],
  // Keys, certificates, secrets
  ['google_kms_key_ring', 'key-store', 'Cloud KMS key ring'],
  ['google_kms_crypto_key', 'key-store', 'Cloud KMS crypto key'],
  ['google_privateca_certificate_authority', 'key-store', 'Private CA certificate authority'],
  ['google_secret_manager_secret', 'secret', 'Secret Manager secret'],
  ['google_secret_manager_regional_secret', 'secret', 'Secret Manager regional secret'],
  // DNS
  ['google_dns_managed_zone', 'dns-zone', 'Cloud DNS managed zone'],
  // Registries and repositories
  ['google_artifact_registry_repository', 'registry', 'Artifact Registry repository'],
  ['google_sourcerepo_repository', 'other-data', 'Cloud Source Repositories git repository'],
  // Logs
  ['google_logging_project_bucket_config', 'log-store', 'Cloud Logging log bucket'],
  // Directories
  ['google_identity_platform_tenant', 'directory', 'Identity Platform tenant (user directory)'],
  // Clusters and containers of everything
  ['google_container_cluster', 'cluster', 'GKE Kubernetes cluster'],
  ['google_project', 'other-data', 'GCP project (deleting it deletes everything in it)'],
];

const AZURE: readonly Row[] = [
  // SQL Server family
  ['azurerm_mssql_server', 'database', 'Azure SQL logical server'],
  ['azurerm_mssql_database', 'database', 'Azure SQL database'],
  ['azurerm_mssql_managed_instance', 'database', 'Azure SQL Managed Instance'],
  ['azurerm_mssql_managed_database', 'database', 'Azure SQL Managed Instance database'],
  ['azurerm_sql_managed_database', 'database', 'Azure SQL Managed Instance database (legacy)'],
  ['azurerm_sql_managed_instance', 'database', 'Azure SQL Managed Instance (legacy)'],
  ['azurerm_sql_server', 'database', 'Azure SQL server (legacy)'],
  ['azurerm_sql_database', 'database', 'Azure SQL database (legacy)'],
  // PostgreSQL, MySQL, MariaDB
  ['azurerm_postgresql_server', 'database', 'PostgreSQL single server'],
  ['azurerm_postgresql_database', 'database', 'PostgreSQL single server database'],
  ['azurerm_postgresql_flexible_server', 'database', 'PostgreSQL flexible server'],
  ['azurerm_postgresql_flexible_server_database', 'database', 'PostgreSQL flexible database'],
  ['azurerm_mysql_server', 'database', 'MySQL single server'],
  ['azurerm_mysql_database', 'database', 'MySQL single server database'],
  ['azurerm_mysql_flexible_server', 'database', 'MySQL flexible server'],
  ['azurerm_mysql_flexible_database', 'database', 'MySQL flexible server database'],
  ['azurerm_mariadb_server', 'database', 'MariaDB server'],
  ['azurerm_mariadb_database', 'database', 'MariaDB database'],
  // Cosmos DB
  ['azurerm_cosmosdb_account', 'database', 'Cosmos DB account'],
  ['azurerm_cosmosdb_sql_database', 'database', 'Cosmos DB SQL database'],
  ['azurerm_cosmosdb_sql_container', 'database', 'Cosmos DB SQL container'],
  ['azurerm_cosmosdb_mongo_database', 'database', 'Cosmos DB MongoDB database'],
  ['azurerm_cosmosdb_mongo_collection', 'database', 'Cosmos DB MongoDB collection'],
  ['azurerm_cosmosdb_cassandra_keyspace', 'database', 'Cosmos DB Cassandra keyspace'],
  ['azurerm_cosmosdb_cassandra_table', 'database', 'Cosmos DB Cassandra table'],
  ['azurerm_cosmosdb_gremlin_database', 'database', 'Cosmos DB Gremlin database'],
  ['azurerm_cosmosdb_gremlin_graph', 'database', 'Cosmos DB Gremlin graph'],
  ['azurerm_cosmosdb_table', 'database', 'Cosmos DB table'],
  ['azurerm_cosmosdb_postgresql_cluster', 'database', 'Cosmos DB for PostgreSQL cluster'],
  [
    'azurerm_cosmosdb_cassandra_cluster',
    'database',
    'Managed Instance for Apache Cassandra cluster',
  ],
  ['azurerm_mongo_cluster', 'database', 'Cosmos DB for MongoDB (vCore) cluster'],
  ['azurerm_oracle_autonomous_database', 'database', 'Oracle Database@Azure autonomous database'],
  [
    'azurerm_oracle_cloud_vm_cluster',
    'database',
    'Oracle Database@Azure VM cluster (its databases)',
  ],
  ['azurerm_confidential_ledger', 'database', 'Azure Confidential Ledger'],
  ['azurerm_healthcare_fhir_service', 'database', 'Health Data Services FHIR service'],
  // Warehouses and analytics
  ['azurerm_synapse_workspace', 'warehouse', 'Synapse Analytics workspace'],
  ['azurerm_synapse_sql_pool', 'warehouse', 'Synapse dedicated SQL pool'],
  ['azurerm_kusto_cluster', 'warehouse', 'Data Explorer (Kusto) cluster'],
  ['azurerm_kusto_database', 'warehouse', 'Data Explorer (Kusto) database'],
  ['azurerm_databricks_workspace', 'warehouse', 'Databricks workspace (with its DBFS storage)'],
  // Storage accounts and their contents
  ['azurerm_storage_account', 'bucket', 'storage account'],
  ['azurerm_storage_container', 'bucket', 'blob storage container'],
  ['azurerm_storage_data_lake_gen2_filesystem', 'bucket', 'Data Lake Storage Gen2 file system'],
  ['azurerm_storage_share', 'file-system', 'Azure Files share'],
  ['azurerm_storage_queue', 'queue', 'storage queue'],
  ['azurerm_storage_table', 'database', 'storage table'],
  // Disks, file systems, snapshots
  ['azurerm_managed_disk', 'volume', 'managed disk'],
  ['azurerm_snapshot', 'snapshot', 'managed disk snapshot'],
  ['azurerm_netapp_volume', 'file-system', 'Azure NetApp Files volume'],
  ['azurerm_managed_lustre_file_system', 'file-system', 'Azure Managed Lustre file system'],
  ['azurerm_qumulo_file_system', 'file-system', 'Azure Native Qumulo file system'],
  ['azurerm_elastic_san_volume', 'volume', 'Elastic SAN volume'],
  ['azurerm_netapp_snapshot', 'snapshot', 'Azure NetApp Files snapshot'],
  // Backups
  ['azurerm_recovery_services_vault', 'backup', 'Recovery Services vault'],
  ['azurerm_data_protection_backup_vault', 'backup', 'Data Protection backup vault'],
  // Caches
  ['azurerm_redis_cache', 'cache', 'Azure Cache for Redis'],
  ['azurerm_redis_enterprise_cluster', 'cache', 'Azure Cache for Redis Enterprise cluster'],
  ['azurerm_managed_redis', 'cache', 'Azure Managed Redis'],
  ['azurerm_redis_enterprise_database', 'cache', 'Azure Cache for Redis Enterprise database'],
  // Messaging
  ['azurerm_servicebus_namespace', 'queue', 'Service Bus namespace'],
  ['azurerm_servicebus_queue', 'queue', 'Service Bus queue'],
  ['azurerm_servicebus_topic', 'queue', 'Service Bus topic'],
  ['azurerm_servicebus_subscription', 'queue', 'Service Bus subscription'],
  ['azurerm_eventhub_namespace', 'stream', 'Event Hubs namespace'],
  ['azurerm_eventhub', 'stream', 'event hub'],
  // Keys and secrets
  ['azurerm_key_vault', 'key-store', 'Key Vault'],
  ['azurerm_key_vault_key', 'key-store', 'Key Vault key'],
  ['azurerm_key_vault_secret', 'secret', 'Key Vault secret'],
  ['azurerm_key_vault_certificate', 'key-store', 'Key Vault certificate'],
  ['azurerm_key_vault_managed_hardware_security_module', 'key-store', 'Key Vault managed HSM'],
  ['azurerm_app_configuration', 'other-data', 'App Configuration store'],
  // DNS
  ['azurerm_dns_zone', 'dns-zone', 'DNS zone'],
  ['azurerm_private_dns_zone', 'dns-zone', 'private DNS zone'],
  // Registries
  ['azurerm_container_registry', 'registry', 'Container Registry'],
  // Search
  ['azurerm_search_service', 'search', 'Azure AI Search service'],
  [
    'azurerm_machine_learning_workspace',
    'other-data',
    'Azure Machine Learning workspace (models, datasets, runs)',
  ],
  // Logs and metrics
  ['azurerm_log_analytics_workspace', 'log-store', 'Log Analytics workspace'],
  ['azurerm_application_insights', 'log-store', 'Application Insights component'],
  ['azurerm_monitor_workspace', 'log-store', 'Azure Monitor (Prometheus) workspace'],
  // Directories
  ['azurerm_aadb2c_directory', 'directory', 'Azure AD B2C directory'],
  ['azurerm_active_directory_domain_service', 'directory', 'Entra Domain Services domain'],
  // Clusters and containers of everything
  ['azurerm_kubernetes_cluster', 'cluster', 'AKS Kubernetes cluster'],
  ['azurerm_resource_group', 'other-data', 'resource group (deleting it deletes everything in it)'],
];

const KUBERNETES: readonly Row[] = [
  ['kubernetes_persistent_volume', 'volume', 'persistent volume'],
  ['kubernetes_persistent_volume_v1', 'volume', 'persistent volume'],
  ['kubernetes_persistent_volume_claim', 'volume', 'persistent volume claim'],
  ['kubernetes_persistent_volume_claim_v1', 'volume', 'persistent volume claim'],
  ['kubernetes_stateful_set', 'database', 'stateful set (and its volume claims)'],
  ['kubernetes_stateful_set_v1', 'database', 'stateful set (and its volume claims)'],
  ['kubernetes_secret', 'secret', 'Kubernetes secret'],
  ['kubernetes_secret_v1', 'secret', 'Kubernetes secret'],
  ['kubernetes_namespace', 'other-data', 'namespace (deleting it deletes everything in it)'],
  ['kubernetes_namespace_v1', 'other-data', 'namespace (deleting it deletes everything in it)'],
];

const OTHER: readonly Row[] = [
  // DigitalOcean
  ['digitalocean_database_cluster', 'database', 'DigitalOcean managed database cluster'],
  ['digitalocean_database_db', 'database', 'DigitalOcean managed database'],
  ['digitalocean_database_kafka_topic', 'stream', 'DigitalOcean managed Kafka topic'],
  ['digitalocean_volume', 'volume', 'DigitalOcean block storage volume'],
  ['digitalocean_volume_snapshot', 'snapshot', 'DigitalOcean volume snapshot'],
  ['digitalocean_droplet_snapshot', 'snapshot', 'DigitalOcean droplet snapshot'],
  ['digitalocean_spaces_bucket', 'bucket', 'DigitalOcean Spaces bucket'],
  ['digitalocean_container_registry', 'registry', 'DigitalOcean container registry'],
  ['digitalocean_kubernetes_cluster', 'cluster', 'DigitalOcean Kubernetes cluster'],
  // Cloudflare
  ['cloudflare_zone', 'dns-zone', 'Cloudflare zone'],
  ['cloudflare_r2_bucket', 'bucket', 'Cloudflare R2 bucket'],
  ['cloudflare_d1_database', 'database', 'Cloudflare D1 database'],
  ['cloudflare_workers_kv_namespace', 'database', 'Cloudflare Workers KV namespace'],
  ['cloudflare_queue', 'queue', 'Cloudflare Queue'],
  ['cloudflare_hyperdrive_config', 'other-data', 'Cloudflare Hyperdrive configuration'],
  // MongoDB Atlas
  ['mongodbatlas_cluster', 'database', 'MongoDB Atlas cluster'],
  ['mongodbatlas_advanced_cluster', 'database', 'MongoDB Atlas cluster'],
  ['mongodbatlas_serverless_instance', 'database', 'MongoDB Atlas serverless instance'],
  ['mongodbatlas_flex_cluster', 'database', 'MongoDB Atlas Flex cluster'],
  ['mongodbatlas_stream_instance', 'stream', 'MongoDB Atlas stream processing instance'],
  ['mongodbatlas_cloud_backup_snapshot', 'snapshot', 'MongoDB Atlas cloud backup snapshot'],
  // Snowflake
  ['snowflake_database', 'warehouse', 'Snowflake database'],
  ['snowflake_schema', 'warehouse', 'Snowflake schema'],
  ['snowflake_table', 'warehouse', 'Snowflake table'],
  ['snowflake_stage', 'warehouse', 'Snowflake stage (internal stages hold files)'],
  // Databricks (Unity Catalog)
  ['databricks_catalog', 'warehouse', 'Databricks Unity Catalog catalog'],
  ['databricks_schema', 'warehouse', 'Databricks Unity Catalog schema'],
  ['databricks_sql_table', 'warehouse', 'Databricks table'],
  ['databricks_volume', 'file-system', 'Databricks Unity Catalog volume'],
  // Database engines managed directly
  ['postgresql_database', 'database', 'PostgreSQL database'],
  ['postgresql_schema', 'database', 'PostgreSQL schema'],
  ['mysql_database', 'database', 'MySQL database'],
  // Aiven
  ['aiven_pg', 'database', 'Aiven for PostgreSQL service'],
  ['aiven_pg_database', 'database', 'Aiven for PostgreSQL database'],
  ['aiven_mysql', 'database', 'Aiven for MySQL service'],
  ['aiven_mysql_database', 'database', 'Aiven for MySQL database'],
  ['aiven_cassandra', 'database', 'Aiven for Apache Cassandra service'],
  ['aiven_clickhouse', 'warehouse', 'Aiven for ClickHouse service'],
  ['aiven_clickhouse_database', 'warehouse', 'Aiven for ClickHouse database'],
  ['aiven_opensearch', 'search', 'Aiven for OpenSearch service'],
  ['aiven_redis', 'cache', 'Aiven for Redis service'],
  ['aiven_valkey', 'cache', 'Aiven for Valkey service'],
  ['aiven_m3db', 'database', 'Aiven for M3DB service'],
  ['aiven_influxdb', 'database', 'Aiven for InfluxDB service'],
  ['aiven_influxdb_database', 'database', 'Aiven for InfluxDB database'],
  ['aiven_alloydbomni', 'database', 'Aiven for AlloyDB Omni service'],
  ['aiven_alloydbomni_database', 'database', 'Aiven for AlloyDB Omni database'],
  ['aiven_kafka', 'stream', 'Aiven for Apache Kafka service'],
  ['aiven_kafka_topic', 'stream', 'Aiven for Apache Kafka topic (and its messages)'],
  // Confluent
  ['confluent_kafka_cluster', 'stream', 'Confluent Cloud Kafka cluster'],
  ['confluent_kafka_topic', 'stream', 'Confluent Cloud Kafka topic'],
  ['confluent_schema', 'other-data', 'Confluent Schema Registry schema'],
  // Source control, Terraform platforms, secrets
  ['github_repository', 'other-data', 'GitHub repository'],
  ['gitlab_project', 'other-data', 'GitLab project (its repository, issues, merge requests)'],
  ['azuredevops_git_repository', 'other-data', 'Azure DevOps git repository'],
  ['bitbucket_repository', 'other-data', 'Bitbucket repository'],
  // Search indices and Elastic deployments
  ['elasticstack_elasticsearch_index', 'search', 'Elasticsearch index (its documents)'],
  ['elasticsearch_index', 'search', 'Elasticsearch index (its documents)'],
  ['opensearch_index', 'search', 'OpenSearch index (its documents)'],
  ['ec_deployment', 'search', 'Elastic Cloud deployment (its Elasticsearch data)'],
  // Kafka topics of the Kafka provider itself (the cloud ones are listed with their provider)
  ['kafka_topic', 'stream', 'Kafka topic (and its messages)'],
  // Self-hosted and private clouds
  ['minio_s3_bucket', 'bucket', 'MinIO bucket'],
  ['openstack_blockstorage_volume_v3', 'volume', 'OpenStack block storage volume'],
  ['openstack_blockstorage_volume_v2', 'volume', 'OpenStack block storage volume (v2 API)'],
  ['openstack_objectstorage_container_v1', 'bucket', 'OpenStack Swift container'],
  ['openstack_sharedfilesystem_share_v2', 'file-system', 'OpenStack Manila share'],
  ['openstack_db_instance_v1', 'database', 'OpenStack Trove database instance'],
  ['vsphere_virtual_disk', 'volume', 'vSphere virtual disk'],
  ['tfe_workspace', 'other-data', 'Terraform Cloud/Enterprise workspace (with its state)'],
  ['vault_mount', 'secret', 'Vault secrets engine mount'],
  ['vault_kv_secret_v2', 'secret', 'Vault KV v2 secret (all its versions)'],
  ['vault_kv_secret', 'secret', 'Vault KV v1 secret'],
  ['vault_generic_secret', 'secret', 'Vault secret'],
  ['vault_transit_secret_backend_key', 'key-store', 'Vault transit encryption key'],
  ['vault_pki_secret_backend_key', 'key-store', 'Vault PKI private key'],
  // Other clouds
  ['heroku_addon', 'database', 'Heroku add-on (e.g. Postgres, Redis)'],
  ['linode_volume', 'volume', 'Linode block storage volume'],
  ['linode_database_postgresql', 'database', 'Linode managed PostgreSQL database'],
  ['linode_database_mysql', 'database', 'Linode managed MySQL database'],
  ['linode_object_storage_bucket', 'bucket', 'Linode Object Storage bucket'],
  ['hcloud_volume', 'volume', 'Hetzner Cloud volume'],
  ['scaleway_rdb_instance', 'database', 'Scaleway managed database instance'],
  ['oci_database_autonomous_database', 'database', 'OCI Autonomous Database'],
  ['oci_database_db_system', 'database', 'OCI Base Database system'],
  ['oci_mysql_mysql_db_system', 'database', 'OCI MySQL HeatWave DB system'],
  ['oci_nosql_table', 'database', 'OCI NoSQL table'],
  ['oci_objectstorage_bucket', 'bucket', 'OCI Object Storage bucket'],
  ['oci_file_storage_file_system', 'file-system', 'OCI File Storage file system'],
  ['oci_core_volume', 'volume', 'OCI block volume'],
  ['oci_core_boot_volume', 'volume', 'OCI boot volume'],
  ['oci_kms_vault', 'key-store', 'OCI Vault (keys)'],
  ['ibm_database', 'database', 'IBM Cloud Databases instance'],
  ['alicloud_db_instance', 'database', 'Alibaba Cloud RDS instance'],
  ['alicloud_polardb_cluster', 'database', 'Alibaba Cloud PolarDB cluster'],
  ['alicloud_mongodb_instance', 'database', 'Alibaba Cloud MongoDB instance'],
  ['alicloud_kvstore_instance', 'cache', 'Alibaba Cloud Redis/Memcache (KVStore) instance'],
  ['alicloud_oss_bucket', 'bucket', 'Alibaba Cloud OSS bucket'],
  ['alicloud_ecs_disk', 'volume', 'Alibaba Cloud ECS disk'],
  ['alicloud_kms_key', 'key-store', 'Alibaba Cloud KMS key'],
];

/**
 * Azure resource types as `azapi_resource` names them in its `type` value
 * (`Microsoft.AppConfiguration/configurationStores@2024-05-01`), for the AVM modules that use
 * azapi by default. Lower case, without the API version. Each is the ARM type behind a stateful
 * azurerm type above.
 */
const ARM: readonly Row[] = [
  ['microsoft.sql/servers', 'database', 'Azure SQL logical server'],
  ['microsoft.sql/servers/databases', 'database', 'Azure SQL database'],
  ['microsoft.sql/managedinstances', 'database', 'Azure SQL Managed Instance'],
  ['microsoft.dbforpostgresql/flexibleservers', 'database', 'PostgreSQL flexible server'],
  [
    'microsoft.dbforpostgresql/flexibleservers/databases',
    'database',
    'PostgreSQL flexible database',
  ],
  ['microsoft.dbformysql/flexibleservers', 'database', 'MySQL flexible server'],
  ['microsoft.dbformysql/flexibleservers/databases', 'database', 'MySQL flexible database'],
  ['microsoft.documentdb/databaseaccounts', 'database', 'Cosmos DB account'],
  ['microsoft.documentdb/mongoclusters', 'database', 'Cosmos DB for MongoDB (vCore) cluster'],
  ['microsoft.storage/storageaccounts', 'bucket', 'storage account'],
  ['microsoft.storage/storageaccounts/blobservices/containers', 'bucket', 'blob storage container'],
  ['microsoft.storage/storageaccounts/fileservices/shares', 'file-system', 'Azure Files share'],
  ['microsoft.compute/disks', 'volume', 'managed disk'],
  ['microsoft.compute/snapshots', 'snapshot', 'managed disk snapshot'],
  ['microsoft.keyvault/vaults', 'key-store', 'Key Vault'],
  ['microsoft.keyvault/managedhsms', 'key-store', 'Key Vault managed HSM'],
  ['microsoft.appconfiguration/configurationstores', 'other-data', 'App Configuration store'],
  [
    'microsoft.cognitiveservices/accounts',
    'other-data',
    'Azure AI services account (deployments, fine-tuned models, uploaded files)',
  ],
  ['microsoft.search/searchservices', 'search', 'Azure AI Search service'],
  ['microsoft.cache/redis', 'cache', 'Azure Cache for Redis'],
  ['microsoft.cache/redisenterprise', 'cache', 'Azure Cache for Redis Enterprise cluster'],
  ['microsoft.servicebus/namespaces', 'queue', 'Service Bus namespace'],
  ['microsoft.eventhub/namespaces', 'stream', 'Event Hubs namespace'],
  ['microsoft.containerregistry/registries', 'registry', 'Container Registry'],
  ['microsoft.operationalinsights/workspaces', 'log-store', 'Log Analytics workspace'],
  ['microsoft.insights/components', 'log-store', 'Application Insights component'],
  ['microsoft.recoveryservices/vaults', 'backup', 'Recovery Services vault'],
  ['microsoft.dataprotection/backupvaults', 'backup', 'Data Protection backup vault'],
  ['microsoft.kusto/clusters', 'warehouse', 'Data Explorer (Kusto) cluster'],
  ['microsoft.synapse/workspaces', 'warehouse', 'Synapse Analytics workspace'],
  ['microsoft.databricks/workspaces', 'warehouse', 'Databricks workspace (with its DBFS storage)'],
  [
    'microsoft.machinelearningservices/workspaces',
    'other-data',
    'Azure Machine Learning workspace',
  ],
  ['microsoft.network/dnszones', 'dns-zone', 'DNS zone'],
  ['microsoft.network/privatednszones', 'dns-zone', 'private DNS zone'],
  ['microsoft.containerservice/managedclusters', 'cluster', 'AKS Kubernetes cluster'],
  [
    'microsoft.resources/resourcegroups',
    'other-data',
    'resource group (deleting it deletes everything in it)',
  ],
];

function build(cloud: Cloud, rows: readonly Row[]): StatefulType[] {
  return rows.map(([type, category, what]) => ({ type, cloud, category, what }));
}

/** Every stateful resource type applygate knows, grouped by cloud. */
export const STATEFUL_TYPES: readonly StatefulType[] = Object.freeze([
  ...build('aws', AWS),
  ...build('google', GOOGLE),
  ...build('azure', AZURE),
  ...build('kubernetes', KUBERNETES),
  ...build('other', OTHER),
]);

const BY_TYPE: ReadonlyMap<string, StatefulType> = new Map(STATEFUL_TYPES.map((t) => [t.type, t]));

/** Azure resource types behind `azapi_resource`, keyed by lower-case ARM type. */
export const AZAPI_TYPES: readonly StatefulType[] = Object.freeze(build('azure', ARM));
const BY_ARM_TYPE: ReadonlyMap<string, StatefulType> = new Map(AZAPI_TYPES.map((t) => [t.type, t]));

/** The generic Azure resource of the azapi provider: its Azure type is in its `type` value. */
export const AZAPI_RESOURCE = 'azapi_resource';

/** A Helm release: what it holds depends on its chart, named in its `chart` value. */
export const HELM_RELEASE = 'helm_release';

/**
 * Charts that run a data store in the cluster, by chart name (the last part of `chart`, as
 * `bitnami/postgresql`, `oci://registry-1.docker.io/bitnamicharts/postgresql` or `postgresql`
 * name it). Uninstalling one deletes the store's pods and every volume claim the chart itself
 * templates; Helm keeps the claims a StatefulSet made, which is the one thing that may survive.
 */
const DATA_CHARTS: Readonly<Record<string, string>> = {
  postgresql: 'PostgreSQL',
  'postgresql-ha': 'PostgreSQL',
  timescaledb: 'TimescaleDB',
  'timescaledb-single': 'TimescaleDB',
  cockroachdb: 'CockroachDB',
  mysql: 'MySQL',
  'mysql-innodbcluster': 'MySQL',
  mariadb: 'MariaDB',
  'mariadb-galera': 'MariaDB',
  mongodb: 'MongoDB',
  'mongodb-sharded': 'MongoDB',
  redis: 'Redis',
  'redis-cluster': 'Redis',
  'redis-ha': 'Redis',
  valkey: 'Valkey',
  'valkey-cluster': 'Valkey',
  kafka: 'Kafka',
  zookeeper: 'ZooKeeper',
  rabbitmq: 'RabbitMQ',
  'rabbitmq-cluster-operator': 'RabbitMQ',
  nats: 'NATS (JetStream)',
  elasticsearch: 'Elasticsearch',
  'eck-elasticsearch': 'Elasticsearch',
  opensearch: 'OpenSearch',
  cassandra: 'Cassandra',
  scylla: 'ScyllaDB',
  clickhouse: 'ClickHouse',
  influxdb: 'InfluxDB',
  influxdb2: 'InfluxDB',
  couchdb: 'CouchDB',
  neo4j: 'Neo4j',
  etcd: 'etcd',
  minio: 'MinIO object storage',
  'minio-operator': 'MinIO object storage',
  vault: 'Vault (its secrets, in its storage)',
  consul: 'Consul (its key/value store)',
  prometheus: 'Prometheus (its metrics)',
  'kube-prometheus-stack': 'Prometheus (its metrics)',
  loki: 'Loki (its logs)',
  gitea: 'Gitea (its repositories)',
  gitlab: 'GitLab (its repositories)',
  nexus: 'Nexus repository (its artifacts)',
  'nexus-repository-manager': 'Nexus repository (its artifacts)',
  harbor: 'Harbor registry (its images)',
  'docker-registry': 'container registry (its images)',
};

/** The data chart a Helm release installs, by name, or undefined. */
export function helmDataChart(value: unknown): { chart: string; store: string } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const chart = (value as Record<string, unknown>).chart;
  if (typeof chart !== 'string') return undefined;
  const name = chart
    .replace(/[@:]v?\d[\w.+-]*$/, '')
    .split('/')
    .pop()!
    .toLowerCase();
  const store = DATA_CHARTS[name];
  return store ? { chart: name, store } : undefined;
}

/** `Microsoft.Foo/bars@2024-01-01` -> `microsoft.foo/bars`; undefined when not a type string. */
export function armType(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const t = (value as Record<string, unknown>).type;
  if (typeof t !== 'string') return undefined;
  const m = /^([A-Za-z0-9.]+\/[A-Za-z0-9./]+?)(@[^@]*)?$/.exec(t);
  return m ? (m[1] as string).toLowerCase() : undefined;
}

/**
 * The catalog entry of a changing resource: by its Terraform type, or for `azapi_resource` by the
 * Azure type in its values (before, or after for a create). `extra` as in statefulType.
 */
export function statefulChange(
  c: { type: string; before: unknown; after: unknown },
  extra?: readonly string[],
): StatefulType | undefined {
  if (c.type === AZAPI_RESOURCE) {
    const arm = armType(c.before) ?? armType(c.after);
    const t = arm ? BY_ARM_TYPE.get(arm) : undefined;
    if (t) return { ...t, type: `${AZAPI_RESOURCE} (${arm})` };
  }
  if (c.type === HELM_RELEASE) {
    const h = helmDataChart(c.before) ?? helmDataChart(c.after);
    if (h) {
      return {
        type: `${HELM_RELEASE} (${h.chart})`,
        cloud: 'kubernetes',
        category: 'database',
        what: `Helm release of the ${h.chart} chart: ${h.store} in the cluster, with the volumes the chart made`,
      };
    }
  }
  return statefulType(c.type, extra);
}

/** The cloud a resource type belongs to, from its provider prefix. */
export function cloudOfType(type: string): Cloud {
  if (type.startsWith('aws_') || type.startsWith('awscc_')) return 'aws';
  if (type.startsWith('google_')) return 'google';
  if (type.startsWith('azurerm_')) return 'azure';
  if (type.startsWith('kubernetes_')) return 'kubernetes';
  return 'other';
}

/**
 * Looks a resource type up by its exact Terraform name. `extra` are user-configured stateful types
 * (config `risk.stateful_types`); a type found only there gets category 'other-data' and a cloud
 * inferred from its provider prefix. The built-in entry wins when a type is in both.
 */
export function statefulType(type: string, extra?: readonly string[]): StatefulType | undefined {
  const known = BY_TYPE.get(type);
  if (known) return known;
  if (extra?.includes(type)) {
    return { type, cloud: cloudOfType(type), category: 'other-data', what: `${type} (configured)` };
  }
  return undefined;
}

/** How many catalog entries each cloud has. */
export function catalogSizeByCloud(): Record<Cloud, number> {
  const sizes: Record<Cloud, number> = { aws: 0, google: 0, azure: 0, kubernetes: 0, other: 0 };
  for (const t of STATEFUL_TYPES) sizes[t.cloud] += 1;
  return sizes;
}

/** Single data objects: a file in a bucket or container, whose delete loses that one object. */
export const DATA_OBJECT_TYPES: Readonly<Record<string, string>> = {
  aws_s3_object: 'S3 object',
  aws_s3_bucket_object: 'S3 object',
  google_storage_bucket_object: 'Cloud Storage object',
  azurerm_storage_blob: 'storage blob',
  minio_s3_object: 'MinIO object',
  digitalocean_spaces_bucket_object: 'Spaces object',
  oci_objectstorage_object: 'OCI Object Storage object',
  openstack_objectstorage_object_v1: 'Swift object',
};
