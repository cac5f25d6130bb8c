"""The course's shared helpers: `import utils`, then utils.load_mnist(), utils.fit(), utils.show_images()...

Nothing happens at import time beyond importing: no downloads, no seeding, no plotting.
"""
from .backbone import Backbone, BackboneError, course_convnet, load_course_backbone, pretrained_backbone, train_course_backbone
from .checks import check_at_least, check_close, check_equal, check_param_count, check_shape, count_trainable
from .cifar import CIFAR10_CLASSES, load_cifar10
from .data import DataError, TensorLoader, data_root, load_mnist
from .device import describe_device, get_device, set_seed
from .gan_metrics import FeatureNet, extract_features, frechet_distance, gaussian_frechet_distance, label_entropy, train_feature_net
from .mode import is_quick, mode_line, pick
from .plot import plot_history, show_feature_maps, show_filters, show_images, show_misclassified
from .plot2d import plot_decision_boundary
from .style import course_features, load_picture, random_features, style_backbone, wave_painting
from .text import Vocabulary, load_shakespeare, split_text
from .train import evaluate, fit, in_notebook, load_checkpoint, predict, save_checkpoint

__all__ = [
    # backbone and CIFAR-10 (transfer learning)
    "Backbone", "BackboneError", "CIFAR10_CLASSES", "course_convnet", "load_cifar10", "load_course_backbone",
    "pretrained_backbone", "train_course_backbone",
    # checks
    "check_at_least", "check_close", "check_equal", "check_param_count", "check_shape", "count_trainable",
    # data, device, mode
    "DataError", "TensorLoader", "data_root", "load_mnist", "describe_device", "get_device", "set_seed",
    "is_quick", "mode_line", "pick",
    # GAN metrics
    "FeatureNet", "extract_features", "frechet_distance", "gaussian_frechet_distance", "label_entropy", "train_feature_net",
    # plots
    "plot_decision_boundary", "plot_history", "show_feature_maps", "show_filters", "show_images", "show_misclassified",
    # style transfer
    "course_features", "load_picture", "random_features", "style_backbone", "wave_painting",
    # text
    "Vocabulary", "load_shakespeare", "split_text",
    # training
    "evaluate", "fit", "in_notebook", "load_checkpoint", "predict", "save_checkpoint",
]
